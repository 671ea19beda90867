//! HEIC/HEIF → pixels through libheif (built from source by `libheif-sys`, HEVC by libde265),
//! with libheif's security limits set to byline's before the file is parsed.
//!
//! libheif applies the file's own transformations (`irot`, `imir`, `clap`) while decoding, so
//! the pixels come out upright and the EXIF orientation, which HEIF treats as informative
//! only, is not applied again. Colours are left as decoded: the ICC profile, or one built from
//! the `nclx` colour description, goes to the shared sRGB conversion after resizing.

use std::sync::OnceLock;

use libheif_rs::{
    Chroma, ColorSpace, DecodingOptions, HeifContext, HeifError, ImageHandle, LibHeif, RgbChroma,
    SecurityLimits,
};

use super::decode::{
    Colour, Decoded, MAX_DECODE_BYTES, MAX_PIXELS, Raster, check_budget, check_size, flatten,
};
use crate::error::{Error, Result};

/// Most memory libheif may hold for one file (its default is 4 GiB): byline's budget for one
/// decode, which [`peak_bytes`] checks from the header first (issue 15).
const MAX_MEMORY: u64 = MAX_DECODE_BYTES;
/// More tiles than any camera writes (an iPhone's 12 MP image has 48; 100 MP in 256×256
/// tiles is about 1,500).
const MAX_TILES: u64 = 4_096;

/// libheif is initialised once for the process (its plugin registry is global).
fn libheif() -> &'static LibHeif {
    static HEIF: OnceLock<LibHeif> = OnceLock::new();
    HEIF.get_or_init(LibHeif::new)
}

fn heif_err(e: HeifError) -> Error {
    let text = if e.message.is_empty() {
        format!("{:?}", e.code)
    } else {
        e.message
    };
    match e.code {
        libheif_rs::HeifErrorCode::MemoryAllocationError => {
            Error::InvalidInput(format!("heic: {text} (over byline's decoding limits)"))
        }
        _ => Error::Image(format!("heic: {text}")),
    }
}

/// Decode the primary image of a HEIF file to 8-bit RGB.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded> {
    let heif = libheif();
    let mut ctx = HeifContext::new().map_err(heif_err)?;
    let mut limits = SecurityLimits::new();
    limits.set_max_image_size_pixels(MAX_PIXELS);
    limits.set_max_total_memory(MAX_MEMORY);
    limits.set_max_memory_block_size(MAX_MEMORY);
    limits.set_max_number_of_tiles(MAX_TILES);
    ctx.set_security_limits(&limits).map_err(heif_err)?;
    ctx.read_bytes(bytes).map_err(heif_err)?;
    let handle = ctx.primary_image_handle().map_err(heif_err)?;
    // The handle's size is the displayed size (after rotation and cropping).
    let (width, height) = (handle.width(), handle.height());
    check_size(width, height)?;
    let alpha = handle.has_alpha_channel();
    check_budget("heic", width, height, peak_bytes(&handle, alpha))?;
    let colour = colour(&handle);
    let chroma = if alpha {
        RgbChroma::Rgba
    } else {
        RgbChroma::Rgb
    };
    let mut options = DecodingOptions::new()
        .ok_or_else(|| Error::Image("heic: libheif could not allocate decoding options".into()))?;
    // 10- and 12-bit HEIC (iPhone HDR) is brought to 8 bits like every other original.
    options.set_convert_hdr_to_8bit(true);
    let image = heif
        .decode(&handle, ColorSpace::Rgb(chroma), Some(options))
        .map_err(heif_err)?;
    let plane = image
        .planes()
        .interleaved
        .ok_or_else(|| Error::Image("heic: libheif gave no interleaved RGB plane".into()))?;
    let channels: usize = if alpha { 4 } else { 3 };
    let row = plane.width as usize * channels;
    let mut data = Vec::with_capacity(row * plane.height as usize);
    for y in 0..plane.height as usize {
        let line = plane
            .data
            .get(y * plane.stride..y * plane.stride + row)
            .ok_or_else(|| Error::Image("heic: decoded plane is shorter than its size".into()))?;
        data.extend_from_slice(line);
    }
    if alpha {
        // Renditions carry no alpha: composite onto white, as a page background would show.
        data = flatten(data);
    }
    Ok(Decoded {
        raster: Raster {
            width: plane.width,
            height: plane.height,
            channels: 3,
            data,
        },
        colour,
        orientation: 1,
        width: plane.width,
        height: plane.height,
        warnings: Vec::new(),
        partial: false,
    })
}

/// The most a decode of `handle` holds at once: libheif's decoded planes and the 8-bit RGB(A)
/// it converts them to (through 16-bit RGB(A) when the file has more than 8 bits), then that
/// RGB(A) and byline's copy of it. A 100 MP picture does not fit the budget (600 MB in the
/// copy); 8-bit 4:2:0 HEIC fits up to about 89 MP, three times an iPhone's 48 MP.
fn peak_bytes(handle: &ImageHandle, alpha: bool) -> u64 {
    let pixels = u64::from(handle.width()) * u64::from(handle.height());
    let bits = handle
        .luma_bits_per_pixel()
        .max(handle.chroma_bits_per_pixel());
    let sample = if bits > 8 { 2 } else { 1 };
    // Samples a pixel, in halves: chroma subsampling shares Cb and Cr between pixels.
    let halves = match handle.preferred_decoding_colorspace() {
        Ok(ColorSpace::Monochrome) => 2,
        Ok(ColorSpace::YCbCr(Chroma::C420)) => 3,
        Ok(ColorSpace::YCbCr(Chroma::C422)) => 4,
        _ => 6,
    } + if alpha { 2 } else { 0 };
    let planes = pixels * halves * sample / 2;
    let rgb = pixels * if alpha { 4 } else { 3 };
    let wide_rgb = if sample == 2 { rgb * 2 } else { 0 };
    (planes + wide_rgb + rgb).max(rgb * 2)
}

/// The colours the samples are in: the ICC profile if there is one (`prof`/`rICC`), else a
/// profile built from the `nclx` primaries and transfer curve, else sRGB.
fn colour(handle: &ImageHandle) -> Colour {
    if let Some(icc) = handle.color_profile_raw().filter(|p| !p.data.is_empty()) {
        return Colour::Rgb(icc.data);
    }
    let Some(nclx) = handle.color_profile_nclx() else {
        return Colour::Srgb;
    };
    // H.273 codes; "unspecified" (2) is read as the sRGB default, as browsers do.
    let code = |c: u8, default: u8| if c == 2 { default } else { c };
    let primaries = code(nclx.color_primaries() as u8, 1);
    let transfer = code(nclx.transfer_characteristics() as u8, 13);
    // BT.709 primaries with the sRGB, BT.709 or BT.601 curve: shown as sRGB everywhere.
    if primaries == 1 && matches!(transfer, 1 | 6 | 13) {
        return Colour::Srgb;
    }
    let (Ok(primaries), Ok(transfer)) = (
        moxcms::CicpColorPrimaries::try_from(primaries),
        moxcms::TransferCharacteristics::try_from(transfer),
    ) else {
        return Colour::Srgb;
    };
    let profile = moxcms::ColorProfile::new_from_cicp(moxcms::CicpProfile {
        color_primaries: primaries,
        transfer_characteristics: transfer,
        matrix_coefficients: moxcms::MatrixCoefficients::Bt709,
        full_range: true,
    });
    profile.encode().map_or(Colour::Srgb, Colour::Rgb)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The iPhone sample with its primary image's `ispe` box saying `width`×`height`.
    fn iphone_claiming(width: u32, height: u32) -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/corpus/images/iphone-xr-orient6.heic"
        );
        let mut b = std::fs::read(path).expect("the iPhone sample");
        let grid = [
            &b"ispe\0\0\0\0"[..],
            &4032u32.to_be_bytes(),
            &3024u32.to_be_bytes(),
        ]
        .concat();
        let at = b
            .windows(grid.len())
            .position(|w| w == grid.as_slice())
            .expect("the grid's ispe");
        b[at + 8..at + 12].copy_from_slice(&width.to_be_bytes());
        b[at + 12..at + 16].copy_from_slice(&height.to_be_bytes());
        b
    }

    // See: #15 (a peak-memory budget per decode, HEIC as well as JPEG and PNG)
    #[test]
    fn heic_over_the_memory_budget_is_refused_from_the_header() {
        // 90 MP is within the pixel limit, but the decode would hold 540 MB.
        let Err(Error::InvalidInput(e)) = decode(&iphone_claiming(10_000, 9_000)) else {
            panic!("a 90 MP HEIC is refused");
        };
        assert!(e.contains("heic") && e.contains("within 512 MB"), "{e}");
        // The budget is not a pixel limit in disguise: 80 MP passes it (and then fails
        // because the tiles do not cover the claimed size, which is not a budget error).
        if let Err(Error::InvalidInput(e)) = decode(&iphone_claiming(10_000, 8_000)) {
            assert!(!e.contains("within 512 MB"), "{e}");
        }
        // The real file decodes.
        let ok = decode(&iphone_claiming(4032, 3024)).expect("the sample decodes");
        assert_eq!(
            (ok.width, ok.height),
            (3024, 4032),
            "upright: the file says irot 90°"
        );
    }
}
