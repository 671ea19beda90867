#!/usr/bin/env bash
# Regenerates the sample photos in this folder. Needs libvips-tools and libimage-exiftool-perl
# (Debian). The pictures are synthetic (a gradient, a circle and a text label drawn by libvips);
# the credits and captions are written by ExifTool into EXIF, IPTC-IIM and XMP. See README.md.
set -euo pipefail
cd "$(dirname "$0")/photos"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# picture NAME "LABEL" R G B CX CY RADIUS: a 480x320 gradient in the given colour with a white
# circle at (CX, CY) and LABEL drawn on it. Each sample gets its own layout, so their
# perceptual fingerprints (byline identify) differ as real photos do.
picture() {
  local name=$1 label=$2 r=$3 g=$4 b=$5 cx=$6 cy=$7 radius=$8
  vips xyz "$tmp/xy.v" 480 320
  vips extract_band "$tmp/xy.v" "$tmp/x.v" 0
  vips extract_band "$tmp/xy.v" "$tmp/y.v" 1
  vips linear "$tmp/x.v" "$tmp/r.v" 0.25 "$r"
  vips linear "$tmp/y.v" "$tmp/g.v" 0.3 "$g"
  vips linear "$tmp/x.v" "$tmp/b.v" -- -0.2 "$b"
  vips bandjoin "$tmp/r.v $tmp/g.v $tmp/b.v" "$tmp/rgb.v"
  vips cast "$tmp/rgb.v" "$tmp/rgb8.v" uchar
  vips draw_circle "$tmp/rgb8.v" "255 255 255" "$cx" "$cy" "$radius" --fill
  vips draw_rect "$tmp/rgb8.v" "0 0 0" $((480 - cx - 40)) $((320 - cy - 30)) 80 60 --fill
  vips text "$tmp/t.v" "$label" --dpi 220
  vips embed "$tmp/t.v" "$tmp/te.v" 30 240 480 320
  # Darken where the label is: out = picture * (1 - label / 255).
  vips linear "$tmp/te.v" "$tmp/inv.v" -- -0.0039 1
  vips multiply "$tmp/rgb8.v" "$tmp/inv.v" "$tmp/out.v"
  vips cast "$tmp/out.v" "$tmp/out8.v" uchar
  vips copy "$tmp/out8.v" "$name[Q=85,strip]"
}

# The wire photo from the README's news page: AFP, John Thys, 22 October 2013, Brussels.
picture afp-nato-brussels.jpg "NATO" 40 60 150 330 150 70
exiftool -q -overwrite_original -codedcharacterset=utf8 \
  -EXIF:Artist="John Thys" -EXIF:Copyright="© AFP 2013" \
  -EXIF:ImageDescription="The NATO emblem is seen at the entrance of NATO headquarters during a meeting of defence ministers in Brussels on October 22, 2013." \
  -EXIF:DateTimeOriginal="2013:10:22 10:41:00" -EXIF:OffsetTimeOriginal="+02:00" \
  -IPTC:By-line="JOHN THYS" -IPTC:Credit="AFP" -IPTC:Source="AFP" \
  -IPTC:CopyrightNotice="© AFP 2013" -IPTC:Headline="NATO defence ministers meet in Brussels" \
  -IPTC:Caption-Abstract="The NATO emblem is seen at the entrance of NATO headquarters during a meeting of defence ministers in Brussels on October 22, 2013." \
  -IPTC:DateCreated=2013:10:22 -IPTC:TimeCreated=10:41:00+02:00 -IPTC:City=Brussels \
  -IPTC:Country-PrimaryLocationName=Belgium -IPTC:Keywords=NATO -IPTC:Keywords=defence -IPTC:Keywords=politics \
  -XMP-dc:Creator="JOHN THYS" -XMP-photoshop:Credit="AFP" -XMP-photoshop:Source="AFP" \
  -XMP-dc:Rights="© AFP 2013" -XMP-photoshop:Headline="NATO defence ministers meet in Brussels" \
  -XMP-dc:Description="The NATO emblem is seen at the entrance of NATO headquarters during a meeting of defence ministers in Brussels on October 22, 2013." \
  -XMP-photoshop:DateCreated="2013:10:22 10:41:00+02:00" -XMP-photoshop:City=Brussels -XMP-photoshop:Country=Belgium \
  -XMP-dc:Subject=NATO -XMP-dc:Subject=defence -XMP-dc:Subject=politics \
  afp-nato-brussels.jpg

# A government handout distributed by Reuters: no photographer, third-party notice, 30-day licence.
picture reuters-handout-flood.jpg "HANDOUT" 120 90 40 100 80 60
exiftool -q -overwrite_original -codedcharacterset=utf8 \
  -EXIF:ImageDescription="Rescue workers evacuate residents from a flooded street in this handout picture released on March 3, 2024." \
  -EXIF:DateTimeOriginal="2024:03:03 08:15:00" \
  -IPTC:Credit="Handout via REUTERS" -IPTC:Source="State Emergency Service" \
  -IPTC:Caption-Abstract="Rescue workers evacuate residents from a flooded street in this handout picture released on March 3, 2024." \
  -IPTC:SpecialInstructions="THIS IMAGE HAS BEEN SUPPLIED BY A THIRD PARTY. NO RESALES. NO ARCHIVES. May only be used for 30 days." \
  -IPTC:DateCreated=2024:03:03 -IPTC:Keywords=flood -IPTC:Keywords=rescue \
  -XMP-photoshop:Credit="Handout via REUTERS" -XMP-photoshop:Source="State Emergency Service" \
  -XMP-iptcExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture" \
  reuters-handout-flood.jpg

# An AP pool photo with an embargo and an expiry date (IIM 2:30 release, 2:37 expiration).
picture ap-pool-summit.jpg "POOL" 30 110 70 240 200 100
exiftool -q -overwrite_original -codedcharacterset=utf8 \
  -EXIF:Artist="Marie Lenoir" -EXIF:DateTimeOriginal="2025:06:12 16:30:00" \
  -IPTC:By-line="Marie Lenoir" -IPTC:Credit="AP Photo/Marie Lenoir, Pool" -IPTC:Source="AP" \
  -IPTC:Caption-Abstract="Leaders pose for a family photo at the summit in Geneva, Switzerland, Thursday, June 12, 2025." \
  -IPTC:Headline="Summit family photo" -IPTC:DateCreated=2025:06:12 -IPTC:City=Geneva \
  -IPTC:Country-PrimaryLocationName=Switzerland -IPTC:ReleaseDate=2025:06:12 -IPTC:ReleaseTime=18:00:00+00:00 \
  -IPTC:ExpirationDate=2025:12:31 -IPTC:SpecialInstructions="EDITORIAL USE ONLY" \
  ap-pool-summit.jpg

# IIM without 1:90 in Latin-1, the charset trap agencies still send (é = 0xE9, © = 0xA9).
picture latin1-iim-creator.jpg "LATIN-1" 150 40 60 400 60 50
exiftool -q -overwrite_original -charset iptc=Latin \
  -IPTC:By-line="José Müller" -IPTC:CopyrightNotice="© EPA 2022" -IPTC:Credit="EPA" \
  -IPTC:Caption-Abstract="Spectators cheer at the Zürich marathon on April 24, 2022." \
  -IPTC:DateCreated=2022:04:24 -IPTC:City="Zürich" \
  latin1-iim-creator.jpg

# No metadata at all: a screen grab someone saved as PNG. It must come out incomplete.
picture tmp-grab.jpg "GRAB" 90 90 90 160 230 80
vips copy tmp-grab.jpg no-metadata-grab.png[strip]
rm tmp-grab.jpg
ls -l ./*.jpg ./*.png
