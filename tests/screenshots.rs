//! Checks the gallery screenshots that `scripts/screenshots.sh` takes (web in headless Chromium,
//! desktop under Xvfb, light and dark): each shows a real page, and light differs from dark.
//! Ignored by a plain `cargo test` because it needs those pictures; `scripts/test.sh` takes them
//! and then runs this with `--ignored`.

use std::path::PathBuf;

struct Picture {
    name: String,
    width: u32,
    height: u32,
    /// Luma of every pixel, 0..=255.
    luma: Vec<u8>,
    /// Distinct colours seen.
    colours: usize,
    /// The share of pixels that have the most common colour.
    dominant_share: f64,
}

fn load(name: &str) -> Picture {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/screenshots")
        .join(format!("{name}.png"));
    let file = std::fs::File::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/screenshots.sh", path.display()));
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let mut counts = std::collections::HashMap::new();
    let mut luma = Vec::with_capacity((info.width * info.height) as usize);
    for px in buf[..info.buffer_size()].chunks_exact(channels) {
        // ImageMagick writes an all-grey picture as grayscale: one channel (and maybe alpha).
        let (r, g, b) = if channels >= 3 {
            (px[0] as u32, px[1] as u32, px[2] as u32)
        } else {
            (px[0] as u32, px[0] as u32, px[0] as u32)
        };
        luma.push(((r * 299 + g * 587 + b * 114) / 1000) as u8);
        *counts.entry((r, g, b)).or_insert(0usize) += 1;
    }
    let dominant = counts.values().copied().max().unwrap_or(0);
    Picture {
        name: name.to_owned(),
        width: info.width,
        height: info.height,
        dominant_share: dominant as f64 / luma.len() as f64,
        colours: counts.len(),
        luma,
    }
}

fn mean(p: &Picture) -> f64 {
    p.luma.iter().map(|&l| l as f64).sum::<f64>() / p.luma.len() as f64
}

fn assert_not_blank(p: &Picture) {
    assert!(
        p.width >= 800 && p.height >= 600,
        "{}: {}x{}",
        p.name,
        p.width,
        p.height
    );
    assert!(
        p.colours >= 50,
        "{}: only {} colours, the page looks blank",
        p.name,
        p.colours
    );
    assert!(
        p.dominant_share < 0.97,
        "{}: {:.1}% one colour, the page looks blank",
        p.name,
        p.dominant_share * 100.0
    );
}

fn assert_light_and_dark_differ(light: &Picture, dark: &Picture) {
    let (l, d) = (mean(light), mean(dark));
    assert!(l > 170.0, "{} is not light: mean luma {l:.0}", light.name);
    assert!(d < 90.0, "{} is not dark: mean luma {d:.0}", dark.name);
    let n = light.luma.len().min(dark.luma.len());
    let differing = light.luma[..n]
        .iter()
        .zip(&dark.luma[..n])
        .filter(|(a, b)| a.abs_diff(**b) > 64)
        .count();
    assert!(
        differing as f64 / n as f64 > 0.3,
        "{} and {} barely differ",
        light.name,
        dark.name
    );
}

#[test]
#[ignore = "needs the pictures from scripts/screenshots.sh; scripts/test.sh runs it"]
fn gallery_screenshots_show_a_page_in_light_and_dark() {
    for platform in ["web", "desktop"] {
        let light = load(&format!("{platform}-light"));
        let dark = load(&format!("{platform}-dark"));
        assert_not_blank(&light);
        assert_not_blank(&dark);
        assert_light_and_dark_differ(&light, &dark);
    }
}

/// Where the ink of a band of rows lies across the picture: the mean column of the pixels that
/// differ from the band's most common colour (its background), as a share of the width.
fn ink_centre(p: &Picture, rows: std::ops::Range<u32>) -> f64 {
    let width = p.width as usize;
    let mut counts = std::collections::HashMap::new();
    for y in rows.clone() {
        for &l in &p.luma[y as usize * width..(y as usize + 1) * width] {
            *counts.entry(l).or_insert(0usize) += 1;
        }
    }
    let background = counts
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .map(|(l, _)| l)
        .unwrap_or(255);
    let (mut sum, mut n) = (0f64, 0f64);
    for y in rows {
        for x in 0..width {
            if p.luma[y as usize * width + x].abs_diff(background) > 64 {
                sum += x as f64;
                n += 1.0;
            }
        }
    }
    assert!(n > 100.0, "{}: no ink in the band", p.name);
    sum / n / p.width as f64
}

#[test]
#[ignore = "needs the pictures from scripts/screenshots.sh; scripts/test.sh runs it"]
fn the_chinese_and_the_right_to_left_gallery_show_a_page_and_the_arabic_one_is_mirrored() {
    let english = load("web-light");
    let chinese = load("web-zh");
    let arabic = load("web-ar");
    assert_not_blank(&chinese);
    assert_not_blank(&arabic);
    // The hero (heading, words, button) sits at the start of the line: the left in English,
    // the right in Arabic. Rows 40 to 400 CSS px hold it at 1200 px wide.
    let hero = 40..400;
    let (ltr, rtl) = (
        ink_centre(&english, hero.clone()),
        ink_centre(&arabic, hero),
    );
    assert!(ltr < 0.45, "the English hero is not on the left: {ltr:.2}");
    assert!(rtl > 0.55, "the Arabic hero is not on the right: {rtl:.2}");
    // Chinese reads left to right like English, with other words in the button.
    let zh = ink_centre(&chinese, 40..400);
    assert!(zh < 0.45, "the Chinese hero is not on the left: {zh:.2}");
    let n = english.luma.len().min(chinese.luma.len());
    assert!(
        english.luma[..n] != chinese.luma[..n],
        "the Chinese page looks like the English one"
    );
}
