//! Renditions: an original's bytes + a [`Spec`] + the photo's current [`Fields`] → the bytes
//! of a resized JPEG or WebP that carries the credit.
//!
//! Pure: bytes in, bytes out. No storage, no clock, no journal (the `library` stores the
//! result as a blob and records it). This is the only module that uses `image`.
//!
//! Pipeline ([`render_set`]): check the header's size against the limits → decode once
//! (JPEG at the coarsest DCT scale that still covers the largest spec) → Lanczos3 resize to
//! the largest spec → convert to sRGB → cascade down to the smaller specs → orient each
//! upright → encode → write XMP, IIM and EXIF from the fields (see `embed`).
//!
//! **Invariant:** the same original, spec and fields give byte-identical output.

mod decode;
mod embed;
mod encode;
mod fingerprint;
mod heic;
mod profile;
mod resize;

use crate::error::{Error, Result};
use crate::model::Fields;

pub use decode::{MAX_DECODE_BYTES, MAX_PIXELS, MAX_SIDE};
pub use encode::WEBP_MAX_SIDE;
pub use fingerprint::{Look, Prints, distance, fingerprint, look, prints, resemblance};

pub use crate::model::{OutputFormat, RenditionSpec as Spec};

// `OutputFormat` and `Spec` are plain data in `model` (the journal records them); what needs
// the decoder's limits lives here.
impl Spec {
    /// A JPEG spec at the default quality 85.
    pub fn jpeg(max_side: u32) -> Spec {
        Spec {
            max_side,
            format: OutputFormat::Jpeg,
            quality: 85,
        }
    }

    /// Check the values a config file or flag may get wrong.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the bad value.
    pub fn validate(&self) -> Result<()> {
        if !(1..=100).contains(&self.quality) {
            return Err(Error::InvalidInput(format!(
                "rendition quality {} is out of range: use 1 to 100",
                self.quality
            )));
        }
        let max = match self.format {
            OutputFormat::Jpeg => MAX_SIDE,
            OutputFormat::Webp => WEBP_MAX_SIDE,
        };
        if !(1..=max).contains(&self.max_side) {
            return Err(Error::InvalidInput(format!(
                "rendition size {} is out of range: use 1 to {max} px for {}",
                self.max_side,
                self.format.extension()
            )));
        }
        Ok(())
    }
}

/// The presets: `thumb` 320, `small` 640, `medium` 1280, `large` 2048, JPEG q85.
pub fn default_presets() -> Vec<(String, Spec)> {
    [
        ("thumb", 320),
        ("small", 640),
        ("medium", 1280),
        ("large", 2048),
    ]
    .into_iter()
    .map(|(name, side)| (name.to_string(), Spec::jpeg(side)))
    .collect()
}

/// One encoded rendition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The encoded file, metadata included.
    pub bytes: Vec<u8>,
    /// Pixel width as displayed (orientation applied).
    pub width: u32,
    /// Pixel height as displayed.
    pub height: u32,
    /// Encoding of `bytes`.
    pub format: OutputFormat,
    /// What went less than perfectly: damaged data, an unusable colour profile, a field cut
    /// to fit its metadata block.
    pub warnings: Vec<String>,
    /// The original's image data was cut short or damaged: only what decoded is shown.
    pub partial: bool,
}

/// Render one spec. Same as [`render_set`] with a single spec.
///
/// # Errors
/// As [`render_set`].
pub fn render(original: &[u8], spec: &Spec, fields: &Fields) -> Result<Rendered> {
    let mut set = render_set(original, std::slice::from_ref(spec), fields)?;
    set.pop()
        .ok_or_else(|| Error::Image("no rendition was produced".into()))
}

/// Render every spec from one decode, in the order given: the original is decoded once at
/// the scale the largest spec needs and each smaller size is resized from the previous one.
///
/// # Errors
/// [`Error::InvalidInput`] for a bad spec or an image beyond [`MAX_SIDE`] / [`MAX_PIXELS`]
/// (refused from its header, before any pixel buffer exists);
/// [`Error::UnsupportedFormat`] for bytes that are not JPEG, PNG, TIFF, WebP or HEIC;
/// [`Error::Image`] when decoding fails outright (a damaged HEIC, or an AVIF, whose AV1
/// decoder is not built in). A JPEG whose data is cut short
/// renders what it has and comes back with `partial` set and a warning.
pub fn render_set(original: &[u8], specs: &[Spec], fields: &Fields) -> Result<Vec<Rendered>> {
    for spec in specs {
        spec.validate()?;
    }
    let Some(largest) = specs.iter().map(|s| s.max_side).max() else {
        return Ok(Vec::new());
    };
    let decoded = decode::decode(original, largest)?;
    let mut warnings = decoded.warnings.clone();

    // Largest first, so each size is resampled from the one above it.
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(specs[i].max_side));
    let mut out: Vec<Option<Rendered>> = vec![None; specs.len()];
    let mut previous: Option<decode::Raster> = None;
    let mut source = Some(decoded.raster);
    for i in order {
        let spec = specs[i];
        let (w, h) = resize::fit(decoded.width, decoded.height, spec.max_side);
        let raster = match previous.take() {
            Some(p) if (p.width, p.height) == (w, h) => p,
            Some(p) => resize::resize(&p, w, h)?,
            None => {
                // First (largest) size: resize from the decode, then fix colours on the
                // smaller buffer.
                let Some(full) = source.take() else {
                    return Err(Error::Image("decoded pixels were used up".into()));
                };
                let sized = if (full.width, full.height) == (w, h) {
                    full
                } else {
                    resize::resize(&full, w, h)?
                };
                resize::to_srgb(sized, &decoded.colour, &mut warnings)
            }
        };
        let turned;
        let upright = if decoded.orientation > 1 {
            turned = resize::orient(&raster, decoded.orientation);
            &turned
        } else {
            &raster
        };
        // Decoding and colour warnings hold for every size; what the container could not
        // hold depends on the format.
        let mut own = warnings.clone();
        let bytes = match spec.format {
            OutputFormat::Jpeg => {
                embed::into_jpeg(&encode::jpeg(upright, spec.quality)?, fields, &mut own)
            }
            OutputFormat::Webp => embed::into_webp(
                &encode::webp(upright, spec.quality)?,
                upright.width,
                upright.height,
                fields,
                &mut own,
            )?,
        };
        out[i] = Some(Rendered {
            bytes,
            width: upright.width,
            height: upright.height,
            format: spec.format,
            warnings: own,
            partial: decoded.partial,
        });
        previous = Some(raster);
    }
    Ok(out.into_iter().flatten().collect())
}
