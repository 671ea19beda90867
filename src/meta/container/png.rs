//! PNG: the chunk walk, text chunks (`tEXt`, `zTXt`, `iTXt`: native text, XMP, ImageMagick's
//! raw profiles) and `eXIf`. Compressed text is inflated within a limit per chunk and one
//! per file (issue 15): a zlib bomb is refused with a warning, never inflated whole.

use std::borrow::Cow;
use std::io::Read;

use super::{MAX_PARTS, Segments, be32, span};

/// A decompressed PNG text chunk may be at most this long (XMP's own bound is 1 MB).
const MAX_INFLATED: u64 = 4 << 20;

/// All the decompressed PNG text of one file together may be at most this long, so many small
/// zlib bombs cannot add up to gigabytes.
const MAX_INFLATED_TOTAL: u64 = 16 << 20;

pub(super) fn png<'a>(b: &'a [u8], s: &mut Segments<'a>) {
    let mut pos = 8;
    let mut saw_end = false;
    let mut capped = false;
    let mut parts = 0;
    let mut inflate_left = MAX_INFLATED_TOTAL;
    while let (Some(len), Some(kind)) = (be32(b, pos), b.get(pos + 4..pos + 8)) {
        // A large image has thousands of IDAT chunks: only the others count against the cap.
        if kind != b"IDAT" {
            parts += 1;
            if parts > MAX_PARTS {
                s.warnings.push(format!(
                    "png: more than {MAX_PARTS} chunks; the rest are not read"
                ));
                capped = true;
                break;
            }
        }
        let start = pos + 8;
        let Some(data) = span(b, start, len) else {
            s.warnings.push(format!(
                "png: chunk at byte {pos} runs past the end of the file"
            ));
            break;
        };
        match kind {
            b"IHDR" => {
                s.width = be32(data, 0);
                s.height = be32(data, 4);
            }
            b"eXIf" => s.exif.push(Cow::Borrowed(data)),
            b"tEXt" | b"zTXt" | b"iTXt" => png_text(kind, data, &mut inflate_left, s),
            b"IEND" => {
                saw_end = true;
                break;
            }
            _ => {}
        }
        pos = start + data.len() + 4; // + CRC
    }
    // Past the cap the end was not looked for, which is not evidence of a cut file.
    s.truncated = !saw_end && !capped;
}

/// A PNG text chunk: native text (`Author`), XMP (`XML:com.adobe.xmp`), or ImageMagick's
/// hex-encoded "Raw profile type exif/iptc/xmp/APP1". Compressed text draws on `inflate_left`,
/// the file's remaining [`MAX_INFLATED_TOTAL`].
fn png_text<'a>(kind: &[u8], data: &'a [u8], inflate_left: &mut u64, s: &mut Segments<'a>) {
    let Some(nul) = data.iter().position(|&c| c == 0) else {
        return;
    };
    let keyword = String::from_utf8_lossy(data.get(..nul).unwrap_or_default()).into_owned();
    let rest = data.get(nul + 1..).unwrap_or_default();
    let text: Cow<'_, [u8]> = match kind {
        // tEXt: keyword\0 Latin-1 text.
        b"tEXt" => Cow::Borrowed(rest),
        // zTXt: keyword\0 method(0) zlib-data.
        b"zTXt" => match inflate(rest.get(1..).unwrap_or_default(), &keyword, inflate_left, s) {
            Some(t) => Cow::Owned(t),
            None => return,
        },
        // iTXt: keyword\0 flag method lang\0 translated\0 UTF-8 text (PNG 1.2, 4.2.3.3).
        _ => {
            let (Some(&flag), Some(tail)) = (rest.first(), rest.get(2..)) else {
                return;
            };
            let Some(l) = tail.iter().position(|&c| c == 0) else {
                return;
            };
            let tail = tail.get(l + 1..).unwrap_or_default();
            let Some(t) = tail.iter().position(|&c| c == 0) else {
                return;
            };
            let body = tail.get(t + 1..).unwrap_or_default();
            if flag == 1 {
                match inflate(body, &keyword, inflate_left, s) {
                    Some(t) => Cow::Owned(t),
                    None => return,
                }
            } else {
                Cow::Borrowed(body)
            }
        }
    };
    if keyword == "XML:com.adobe.xmp" {
        s.xmp.push(text);
    } else if let Some(profile) = keyword.strip_prefix("Raw profile type ") {
        let Some(raw) = raw_profile(&text) else {
            s.warnings
                .push(format!("png: raw profile '{profile}' is not valid hex"));
            return;
        };
        match profile {
            "exif" | "APP1" => {
                let tiff = raw.strip_prefix(b"Exif\0\0").map(<[u8]>::to_vec);
                s.exif.push(Cow::Owned(tiff.unwrap_or(raw)));
            }
            "iptc" | "8bim" => {
                if raw.starts_with(b"8BIM") {
                    s.photoshop = Some(Cow::Owned(raw));
                } else {
                    s.iim.push(Cow::Owned(raw));
                }
            }
            "xmp" => s.xmp.push(Cow::Owned(raw)),
            _ => {}
        }
    } else {
        // Native text is Latin-1 in tEXt/zTXt, UTF-8 in iTXt.
        let value = if kind == b"iTXt" {
            String::from_utf8_lossy(&text).into_owned()
        } else {
            text.iter().map(|&c| char::from(c)).collect()
        };
        s.png_text.push((keyword, value));
    }
}

/// Inflate one compressed text chunk, within `MAX_INFLATED` and what is `left` of the file's
/// budget; `None`, with a warning, when it is damaged, longer than `MAX_INFLATED` (refused
/// whole: a cut XMP packet or EXIF block would be read wrong) or the budget runs out (warned
/// once: `left` is 0 only after that warning).
fn inflate(data: &[u8], keyword: &str, left: &mut u64, s: &mut Segments<'_>) -> Option<Vec<u8>> {
    if *left == 0 {
        return None;
    }
    let mut out = Vec::new();
    // One byte past the chunk's limit tells a chunk at the limit from one over it.
    let read = flate2::read::ZlibDecoder::new(data)
        .take((MAX_INFLATED + 1).min(*left))
        .read_to_end(&mut out);
    let n = u64::try_from(out.len()).unwrap_or(u64::MAX);
    if n > MAX_INFLATED {
        *left = left.saturating_sub(n);
        s.warnings.push(format!(
            "png: compressed text chunk '{keyword}' inflates to over {} MB; it is ignored",
            MAX_INFLATED >> 20
        ));
        return None;
    }
    if read.is_err() {
        *left = left.saturating_sub(n);
        s.warnings
            .push(format!("png: compressed text chunk '{keyword}' is damaged"));
        return None;
    }
    if n >= *left {
        *left = 0;
        s.warnings.push(format!(
            "png: compressed text reaches the {MAX_INFLATED_TOTAL}-byte limit for one file \
             at '{keyword}'; it and later compressed chunks are ignored"
        ));
        return None;
    }
    *left -= n;
    Some(out)
}

/// ImageMagick's raw profile: `\nNAME\n   LENGTH\nHEX…` with hex split over lines.
fn raw_profile(text: &[u8]) -> Option<Vec<u8>> {
    let mut lines = text.split(|&c| c == b'\n').filter(|l| !l.is_empty());
    let _name = lines.next()?;
    let len: usize = std::str::from_utf8(lines.next()?)
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let mut out = Vec::with_capacity(len.min(text.len() / 2));
    let mut high: Option<u8> = None;
    for &c in lines.flatten() {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        match high.take() {
            Some(h) => out.push(h << 4 | v),
            None => high = Some(v),
        }
        if out.len() == len {
            break;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::container::segments;

    /// A PNG of an IHDR (3x2), the given chunks and an IEND; CRCs are not checked.
    fn png_file(chunks: &[(&[u8], Vec<u8>)]) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        let ihdr = [&[0, 0, 0, 3, 0, 0, 0, 2][..], &[8, 2, 0, 0, 0]].concat();
        let all = std::iter::once((&b"IHDR"[..], ihdr))
            .chain(chunks.iter().cloned())
            .chain(std::iter::once((&b"IEND"[..], Vec::new())));
        for (kind, data) in all {
            b.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
            b.extend_from_slice(kind);
            b.extend_from_slice(&data);
            b.extend_from_slice(&[0; 4]);
        }
        b
    }

    #[test]
    fn idat_chunks_do_not_count_against_the_part_cap() {
        let idat: Vec<(&[u8], Vec<u8>)> = vec![(b"IDAT", vec![0; 4]); MAX_PARTS + 10];
        let file = png_file(&idat);
        let s = segments(&file);
        assert!(!s.truncated);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert_eq!((s.width, s.height), (Some(3), Some(2)));

        // Past the cap for other chunks: a warning, but not a truncated file.
        let text: Vec<(&[u8], Vec<u8>)> = vec![(b"tEXt", b"k\0v".to_vec()); MAX_PARTS + 10];
        let file = png_file(&text);
        let s = segments(&file);
        assert!(!s.truncated);
        assert!(
            s.warnings.iter().any(|w| w.contains("more than")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn compressed_png_text_has_a_budget_for_the_whole_file() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![b'a'; 1 << 20]).unwrap_or_default();
        let bomb = z.finish().unwrap_or_default();
        let chunk = [&b"Comment\0\0"[..], &bomb].concat();
        let chunks: Vec<(&[u8], Vec<u8>)> = vec![(b"zTXt", chunk); 40];
        let file = png_file(&chunks);
        let s = segments(&file);
        let inflated: usize = s.png_text.iter().map(|(_, t)| t.len()).sum();
        assert!(inflated as u64 <= MAX_INFLATED_TOTAL, "{inflated}");
        assert_eq!(s.png_text.len(), 15);
        let over: Vec<_> = s
            .warnings
            .iter()
            .filter(|w| w.contains("limit for one file"))
            .collect();
        assert_eq!(over.len(), 1, "{:?}", s.warnings);
    }

    // See: #15 (compressed metadata chunks over a few MB are refused with a warning)
    #[test]
    fn a_compressed_png_chunk_over_its_limit_is_refused_whole() {
        use std::io::Write;
        let deflated = |n: u64| {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            z.write_all(&vec![b'a'; usize::try_from(n).unwrap_or(0)])
                .unwrap_or_default();
            z.finish().unwrap_or_default()
        };
        for (over, fits) in [(MAX_INFLATED + 1, MAX_INFLATED), (5 << 20, 1 << 20)] {
            let z = [&b"Comment\0\0"[..], &deflated(over)].concat();
            // iTXt: keyword, NUL, compressed flag, method, language NUL, translated NUL.
            let i = [&b"XML:com.adobe.xmp\0\x01\0\0\0"[..], &deflated(over)].concat();
            let ok = [&b"Author\0\0"[..], &deflated(fits)].concat();
            let chunks: Vec<(&[u8], Vec<u8>)> = vec![(b"zTXt", z), (b"iTXt", i), (b"zTXt", ok)];
            let file = png_file(&chunks);
            let s = segments(&file);
            let refused: Vec<_> = s
                .warnings
                .iter()
                .filter(|w| w.contains("inflates to over 4 MB"))
                .collect();
            assert_eq!(refused.len(), 2, "{over}: {:?}", s.warnings);
            assert!(refused[0].contains("'Comment'") && refused[1].contains("xmp"));
            assert!(s.xmp.is_empty(), "no cut packet is read");
            // A chunk within the limit, after them, is read whole.
            assert_eq!(s.png_text.len(), 1);
            assert_eq!(s.png_text[0].1.len() as u64, fits);
        }
    }

    #[test]
    fn raw_profile_hex_is_decoded() {
        let t = b"\nexif\n       8\n45786966 0000\n4d4d\n";
        assert_eq!(raw_profile(t).as_deref(), Some(&b"Exif\0\0MM"[..]));
        assert_eq!(raw_profile(b"\nexif\n 2\nzz"), None);
    }
}
