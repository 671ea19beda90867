//! ICC profile limits (issue 15): a profile over [`MAX_ICC`] bytes, compressed or not, is
//! dropped with a warning and the picture is rendered as sRGB. PNG's `iCCP` chunk is checked
//! here, before `image` sees the file, because the `png` crate inflates it whole while reading
//! the header: a 1 MB file whose profile inflates to 1 GiB would cost a gigabyte per decode.
//!
//! Reads bytes only; it never decodes pixels.

use std::io::Read;

/// Largest ICC profile byline uses. Real profiles are a few kilobytes to about 1 MB (a
/// printer's CMYK tables); 4 MB leaves room for any of them.
pub(super) const MAX_ICC: usize = 4 << 20;

/// A PNG whose `iCCP` profile inflates past [`MAX_ICC`], returned without that chunk (and the
/// warning to report); `None` when the file has no such chunk (the common case: no copy).
pub(super) fn png_without_big_icc(png: &[u8]) -> Option<(Vec<u8>, String)> {
    let (at, len) = oversized_iccp(png)?;
    let mut out = Vec::with_capacity(png.len() - len);
    out.extend_from_slice(&png[..at]);
    out.extend_from_slice(png.get(at + len..).unwrap_or_default());
    Some((out, too_big("png iCCP")))
}

/// The warning for a profile dropped for its size.
pub(super) fn too_big(what: &str) -> String {
    format!(
        "icc: the {what} profile is over {} MB and was ignored; colours taken as sRGB",
        MAX_ICC >> 20
    )
}

/// The offset and whole length (header, data, CRC) of an `iCCP` chunk whose profile inflates
/// past [`MAX_ICC`]. Chunks come before the first `IDAT` (PNG 1.2, 4.2.2.4), so the walk stops
/// there; a damaged chunk list ends it too (`image` then reports the damage).
fn oversized_iccp(png: &[u8]) -> Option<(usize, usize)> {
    let mut at = 8;
    while let Some(head) = png.get(at..at + 8) {
        let len = usize::try_from(u32::from_be_bytes([head[0], head[1], head[2], head[3]])).ok()?;
        let kind = &head[4..8];
        let data = png.get(at + 8..at.checked_add(8 + len)?)?;
        match kind {
            b"IDAT" | b"IEND" => return None,
            b"iCCP" => {
                // Profile name, NUL, compression method (0 = zlib), the compressed profile.
                let nul = data.iter().position(|&b| b == 0)?;
                let compressed = data.get(nul + 2..).unwrap_or_default();
                return (inflated_over(compressed, MAX_ICC)).then_some((at, len + 12));
            }
            _ => at = at.checked_add(len + 12)?,
        }
    }
    None
}

/// Whether `zlib` inflates to more than `limit` bytes, found without holding more than a small
/// buffer of them.
fn inflated_over(zlib: &[u8], limit: usize) -> bool {
    let limit = limit as u64;
    let mut decoder = flate2::read::ZlibDecoder::new(zlib).take(limit + 1);
    let n = std::io::copy(&mut decoder, &mut std::io::sink()).unwrap_or(0);
    n > limit
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A PNG of the given chunks (CRCs are not checked here, so they are zero).
    pub(crate) fn png(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in chunks {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(*kind);
            out.extend_from_slice(data);
            out.extend_from_slice(&[0; 4]);
        }
        out
    }

    fn iccp(inflated: usize) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![0u8; inflated]).expect("deflate");
        let mut data = b"bomb\0\0".to_vec();
        data.extend(z.finish().expect("deflate"));
        data
    }

    // See: #15
    #[test]
    fn an_iccp_bomb_is_cut_out_and_a_small_profile_kept() {
        let ihdr = vec![0u8; 13];
        let bomb = png(&[
            (b"IHDR", ihdr.clone()),
            (b"iCCP", iccp(64 << 20)),
            (b"IDAT", vec![1, 2, 3]),
        ]);
        let (cut, warning) = png_without_big_icc(&bomb).expect("the bomb is found");
        assert!(warning.contains("over 4 MB"), "{warning}");
        assert_eq!(
            cut,
            png(&[(b"IHDR", ihdr.clone()), (b"IDAT", vec![1, 2, 3])])
        );
        let fine = png(&[(b"IHDR", ihdr), (b"iCCP", iccp(3 << 20)), (b"IDAT", vec![])]);
        assert!(png_without_big_icc(&fine).is_none());
        // Damaged lengths end the walk without a panic.
        assert!(png_without_big_icc(&bomb[..40]).is_none());
        assert!(png_without_big_icc(b"\x89PNG\r\n\x1a\n\xff\xff\xff\xffiCCP").is_none());
    }
}
