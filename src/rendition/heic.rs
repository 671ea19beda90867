//! HEIC/HEIF → pixels through libheif (built from source by `libheif-sys`, HEVC by libde265),
//! with libheif's security limits set to byline's before the file is parsed.
//!
//! libheif applies the file's own transformations (`irot`, `imir`, `clap`) while decoding, so
//! the pixels come out upright and the EXIF orientation, which HEIF treats as informative
//! only, is not applied again. Colours are left as decoded: the ICC profile, or one built from
//! the `nclx` colour description, goes to the shared sRGB conversion after resizing.

use std::sync::OnceLock;

use libheif_rs::{
    ColorSpace, DecodingOptions, HeifContext, HeifError, ImageHandle, LibHeif, RgbChroma,
    SecurityLimits,
};

use super::decode::{Colour, Decoded, MAX_PIXELS, Raster, check_size, flatten};
use crate::error::{Error, Result};

/// Most memory libheif may hold for one file (its default is 4 GiB): enough for the largest
/// image byline renders as 16-bit RGBA, with room for the coded data.
const MAX_MEMORY: u64 = 1 << 30;
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
    let colour = colour(&handle);
    let alpha = handle.has_alpha_channel();
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
