//! The agency table's forms in other scripts: how agencies are printed in Japanese,
//! Chinese, Korean, Cyrillic, Arabic, Persian, Devanagari and Thai credits, each taken from
//! the agency's own name in that language (its local service, site or style book). Data
//! only, like [`super::table`].

use super::table::{Alias, agency};

/// Agencies' names in other scripts, with the canonical short name each stands for.
pub(super) const ALIASES: &[Alias] = &[
    // Reuters: Japanese, Chinese, Korean, Hindi, Thai, Arabic, Persian, Russian.
    agency("ロイター", "Reuters"),
    agency("路透社", "Reuters"),
    agency("路透", "Reuters"),
    agency("로이터", "Reuters"),
    agency("로이터통신", "Reuters"),
    agency("रॉयटर्स", "Reuters"),
    agency("รอยเตอร์", "Reuters"),
    agency("رويترز", "Reuters"),
    agency("رویترز", "Reuters"),
    agency("Рейтер", "Reuters"),
    agency("Рейтерс", "Reuters"),
    // AP: Cyrillic А and Р (`Фото АР`), Japanese, Chinese, Korean, Hindi, Thai, Arabic.
    agency("АР", "AP"),
    agency("АП", "AP"),
    agency("AP通信", "AP"),
    agency("美联社", "AP"),
    agency("美聯社", "AP"),
    agency("AP통신", "AP"),
    agency("एपी", "AP"),
    agency("เอพี", "AP"),
    agency("أ.ب", "AP"),
    agency("أ ب", "AP"),
    // AFP.
    agency("AFP通信", "AFP"),
    agency("法新社", "AFP"),
    agency("AFP통신", "AFP"),
    agency("एएफपी", "AFP"),
    agency("เอเอฟพี", "AFP"),
    agency("أ.ف.ب", "AFP"),
    agency("أ ف ب", "AFP"),
    agency("فرانس برس", "AFP"),
    agency("Франс Пресс", "AFP"),
    // Kyodo and its image service, Jiji.
    agency("共同", "Kyodo"),
    agency("共同通信", "Kyodo"),
    agency("共同通信社", "Kyodo"),
    agency("共同通信イメージズ", "Kyodo"),
    agency("교도", "Kyodo"),
    agency("교도통신", "Kyodo"),
    agency("時事", "Jiji Press"),
    agency("時事通信", "Jiji Press"),
    agency("時事通信社", "Jiji Press"),
    // Xinhua.
    // China News Service.
    agency("中新社", "China News Service"),
    agency("中國新聞社", "China News Service"),
    agency("中国新闻社", "China News Service"),
    agency("新华社", "Xinhua"),
    agency("新華社", "Xinhua"),
    agency("신화", "Xinhua"),
    agency("신화통신", "Xinhua"),
    agency("Синьхуа", "Xinhua"),
    agency("شينخوا", "Xinhua"),
    // Korean agencies and the names they print for themselves.
    agency("연합뉴스", "Yonhap"),
    agency("연합", "Yonhap"),
    agency("聯合ニュース", "Yonhap"),
    agency("뉴시스", "Newsis"),
    agency("뉴스1", "News1"),
    agency("조선중앙통신", "KCNA"),
    // Getty Images in Japanese and Korean.
    agency("ゲッティ", "Getty Images"),
    agency("ゲッティイメージズ", "Getty Images"),
    agency("게티이미지", "Getty Images"),
    agency("게티이미지코리아", "Getty Images"),
    // TASS and its photo chronicle, the other Cyrillic agencies.
    agency("Фотохроника ТАСС", "TASS"),
    agency("ИТАР-ТАСС", "TASS"),
    agency("塔斯社", "TASS"),
    agency("БТА", "BTA"),
    agency("Укрінформ", "Ukrinform"),
    agency("Укринформ", "Ukrinform"),
    agency("УНІАН", "UNIAN"),
    agency("УНИАН", "UNIAN"),
    agency("Интерфакс", "Interfax"),
    agency("Інтерфакс", "Interfax"),
    agency("БЕЛТА", "BelTA"),
    agency("БелТА", "BelTA"),
    // Anadolu in Arabic; Indian, Iranian agencies in their scripts.
    agency("الأناضول", "Anadolu"),
    agency("पीटीआई", "PTI"),
    agency("एएनआई", "ANI"),
    agency("आईएएनएस", "IANS"),
    agency("ایرنا", "IRNA"),
    agency("ایسنا", "ISNA"),
];
