//! Rules written on the fifth round of real credit lines (issue 11): agencies in other
//! scripts, the grammar of Korean, Japanese, Chinese and Thai credits, more wrapping and
//! "and" words, and the chain's grammar. Each is shown on lines made up for the rule.

use super::check;

// See: #11. Agencies printed in other scripts, as the agencies name themselves in those
// languages: Japanese, Chinese, Cyrillic, Hindi, Thai, Arabic (a date after the agency
// is not part of the chain; `2020年` is a year).
#[test]
fn agencies_in_other_scripts() {
    check(&[
        (
            "(2020年 ロイター/Jane Doe)",
            "Reuters",
            "Jane Doe",
            "",
            "staff",
        ),
        ("照片:法新社", "AFP", "", "", "unknown"),
        ("Фото: Иван Петров / БТА", "BTA", "Иван Петров", "", "staff"),
        ("(फोटो: एएफपी / रमेश कुमार)", "AFP", "रमेश कुमार", "", "staff"),
        ("(ภาพ: เอพี)", "AP", "", "", "unknown"),
        ("© (رويترز: 3 مارس 2021 )", "Reuters", "", "", "unknown"),
        ("Reuters: 12 June 2019", "Reuters", "", "", "unknown"),
        ("Foto: Ivo Ivić/PIXSELL", "Pixsell", "Ivo Ivić", "", "staff"),
    ]);
}

// See: #11. Korean and Japanese credit grammar: an origin agency glued or spaced before
// the distributor (`EPA 뉴시스`), `origin=distributor` with the dateline before it going,
// the courtesy word after the issuer (`제공`), "shot" after the name (`撮影`).
#[test]
fn korean_and_japanese_grammar() {
    check(&[
        ("EPA 뉴시스", "Newsis", "", "EPA", "unknown"),
        ("로이터연합뉴스", "Yonhap", "", "Reuters", "unknown"),
        (
            "[AFP=뉴시스/Jane Doe]",
            "Newsis",
            "Jane Doe",
            "AFP",
            "staff",
        ),
        ("[부산=AP/연합뉴스]", "Yonhap", "", "AP", "unknown"),
        ("광주/EPA연합뉴스", "Yonhap", "", "EPA", "unknown"),
        ("(사진=서울시 제공)", "서울시", "", "", "handout"),
        ("=山田太郎撮影", "", "山田太郎", "", "unknown"),
        ("(AP=共同)", "Kyodo", "", "AP", "unknown"),
        (
            "撮影者は山田太郎、鈴木花子。",
            "",
            "山田太郎 | 鈴木花子",
            "",
            "unknown",
        ),
        ("(写真=北海日報撮影)", "北海日報", "", "", "unknown"),
    ]);
}

// See: #11. Chinese: `NAME 摄` (shot), an agency's reporter (`新华社记者 NAME 摄`) or
// release (`新華社發(NAME 攝)`), a newspaper named by its ending (`日报`); Thai: the photo
// word glued before the agency, after a date.
#[test]
fn chinese_and_thai_grammar() {
    check(&[
        ("新华社记者 王小明 摄", "Xinhua", "王小明", "", "staff"),
        ("新华社记者王小明摄", "Xinhua", "王小明", "", "staff"),
        ("新華社發(李大同 攝)", "Xinhua", "李大同", "", "unknown"),
        ("(图片来源:北京日报)", "北京日报", "", "", "unknown"),
        ("李小龙 摄", "", "李小龙", "", "unknown"),
        ("(วันที่ 3 มี.ค. ภาพเอเอฟพี)", "AFP", "", "", "unknown"),
    ]);
}

// See: #11. Wrapping in more forms: Markdown emphasis, full-width brackets, "by" words
// and phrases (`oleh`, `prise par`), `Foto's`, `All photos by`, a caption or label before
// `©`, the BBC's `Image source,` in its services' languages, labels inside the chain
// (`Autor:`), longer labels ending in a photo word, `Reprodução` and `Files` markers.
#[test]
fn more_wrapping() {
    check(&[
        ("_Bild: Keystone_", "Keystone", "", "", "unknown"),
        ("（写真：共同）", "Kyodo", "", "", "unknown"),
        ("Foto oleh Budi Santoso", "", "Budi Santoso", "", "unknown"),
        (
            "Photo prise par Jeanne Martin.",
            "",
            "Jeanne Martin",
            "",
            "unknown",
        ),
        ("Foto's Jan Jansen", "", "Jan Jansen", "", "unknown"),
        ("All photos by Jane Doe.", "", "Jane Doe", "", "unknown"),
        (
            "The old harbour at dusk © Jane Doe",
            "",
            "Jane Doe",
            "",
            "unknown",
        ),
        ("Cover ©John Roe", "", "John Roe", "", "unknown"),
        ("Photo Credit © John Roe", "", "John Roe", "", "unknown"),
        (
            "तस्वीर का स्रोत, Jane Doe/BBC",
            "BBC",
            "Jane Doe",
            "",
            "staff",
        ),
        ("IMAGE SOURCE,Jane Doe/EPA", "EPA", "Jane Doe", "", "staff"),
        (
            "Izvor: HINA / Autor: Ivo Ivić",
            "HINA",
            "Ivo Ivić",
            "",
            "staff",
        ),
        (
            "Sursa text si foto: exemplu.ro",
            "exemplu.ro",
            "",
            "",
            "unknown",
        ),
        ("(Maria Silva/Reprodução)", "", "Maria Silva", "", "unknown"),
        (
            "REUTERS/Jane Doe/Files",
            "Reuters",
            "Jane Doe",
            "",
            "archive",
        ),
    ]);
}

// See: #11. "And" in more languages, also in scripts without case, where a name has no
// capital to show it starts; `Dan` in a name is no Indonesian "and".
#[test]
fn and_in_more_languages() {
    check(&[
        (
            "Фото Івана Петренка та Марії Коваль",
            "",
            "Івана Петренка | Марії Коваль",
            "",
            "unknown",
        ),
        (
            "(તસવીરો : રમેશ પટેલ અને સુરેશ શાહ)",
            "",
            "રમેશ પટેલ | સુરેશ શાહ",
            "",
            "unknown",
        ),
        (
            "Foto: Budi Santoso dan Siti Aminah / Antara",
            "Antara",
            "Budi Santoso | Siti Aminah",
            "",
            "staff",
        ),
        (
            "Photo by Jane Dan Smith",
            "",
            "Jane Dan Smith",
            "",
            "unknown",
        ),
    ]);
}

// See: #11. The chain's grammar: two credit forms of one photo (the fuller is read), an
// issuer printed before the photographer of a handout, a body printed between the
// photographer and a known agency, one word alone under a label, a place after a closing
// dash, a role after a comma, a newspaper opened by an article, a press office after a
// known agency, who posted a picture to a platform.
#[test]
fn chain_grammar() {
    check(&[
        (
            "(Photo by Jane Doe / AFP) (Photo by JANE DOE/AFP via Getty Images)",
            "Getty Images",
            "Jane Doe",
            "AFP",
            "staff",
        ),
        (
            "(Photo by Acme Toys/Jane Doe/Handout via Reuters)",
            "Reuters",
            "Jane Doe",
            "Acme Toys",
            "handout",
        ),
        (
            "Jane Doe/Summit Project/AFP/Getty Images",
            "Getty Images",
            "Jane Doe",
            "Summit Project | AFP",
            "staff",
        ),
        ("Image credit: Zentrix", "Zentrix", "", "", "unknown"),
        (
            "Fotografia de Maria Silva - Coimbra",
            "",
            "Maria Silva",
            "",
            "unknown",
        ),
        (
            "Photo by Jane Doe, summer intern",
            "",
            "Jane Doe",
            "",
            "unknown",
        ),
        ("© La Gaceta", "La Gaceta", "", "", "unknown"),
        ("Jane Doe / DIE WOCHE", "Die Woche", "Jane Doe", "", "staff"),
        (
            "Foto: dpa/Pressebüro der Stadt",
            "dpa",
            "",
            "Pressebüro der Stadt",
            "handout",
        ),
        (
            "Photo by U.S. Army on Unsplash",
            "Unsplash",
            "U.S. Army",
            "",
            "unknown",
        ),
        (
            "Jane Doe / EPA / Scanpix / LETA",
            "LETA",
            "Jane Doe",
            "EPA | Scanpix",
            "staff",
        ),
    ]);
}

// See: #11. What else a chain carries: a billing code after the agency (`TT kod 12345`),
// a handout marker glued to its issuer (`Coast Guard handout`), Forbes' expander in a cut
// name, a photo-essay label, a pool marker before the name, two known names side by side,
// NTB's surname first; two names before one agency are two photographers, but a
// name before `via` or a chain of agencies is the photographer's own agency or lender.
#[test]
fn more_chain_elements() {
    check(&[
        (
            "Foto: Jane Doe / TT kod 12345",
            "TT",
            "Jane Doe",
            "",
            "staff",
        ),
        (
            "Photo: Coast Guard handout via Reuters",
            "Reuters",
            "",
            "Coast Guard",
            "handout",
        ),
        (
            "(Photo by JANE ... [+] DOE/AFP via Getty Images)",
            "Getty Images",
            "Jane Doe",
            "AFP",
            "staff",
        ),
        (
            "Fotorreportaje de Juan Pérez",
            "",
            "Juan Pérez",
            "",
            "unknown",
        ),
        ("© Belga – POOL JANE DOE", "Belga", "Jane Doe", "", "pool"),
        (
            "(Photo by Jane Doe/PA Wire Press Association)",
            "PA",
            "Jane Doe",
            "PA Wire",
            "staff",
        ),
        (
            "Foto: Nordmann, Kari Anne/ NTB",
            "NTB",
            "Nordmann, Kari Anne",
            "",
            "staff",
        ),
        (
            "(Photo by Jane Doe/John Roe/Getty Images)",
            "Getty Images",
            "Jane Doe | John Roe",
            "",
            "staff",
        ),
        (
            "Photo: Jane Doe/Harbor Sportswire via Getty Images",
            "Getty Images",
            "Jane Doe",
            "Harbor Sportswire",
            "staff",
        ),
    ]);
}
