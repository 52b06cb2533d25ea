use dioxus::prelude::*;

/// The OpenRouter logo: two stroked curves and two arrow heads in `currentColor`, so it takes the
/// text colour of whatever contains it. Decorative: hidden from assistive technology.
#[component]
pub fn OpenRouterLogo(
    /// Size classes, e.g. `size-4`. The sign-in button passes one per button size.
    #[props(default = "size-4".to_string(), into)]
    class: String,
) -> Element {
    logo_svg(&class)
}

/// The logo's markup, for components that draw it inside their own render (the sign-in button)
/// rather than as a child component of their own: no scope or props per logo.
pub(crate) fn logo_svg(class: &str) -> Element {
    rsx! {
        svg {
            class: "{class}",
            view_box: "0 0 512 512",
            fill: "currentColor",
            stroke: "currentColor",
            "aria-hidden": "true",
            "focusable": "false",
            "data-openrouter-logo": "",
            path {
                d: "M3 248.945C18 248.945 76 236 106 219C136 202 136 202 198 158C276.497 102.293 332 120.945 423 120.945",
                stroke_width: "90",
            }
            path { d: "M511 121.5L357.25 210.268L357.25 32.7324L511 121.5Z" }
            path {
                d: "M0 249C15 249 73 261.945 103 278.945C133 295.945 133 295.945 195 339.945C273.497 395.652 329 377 420 377",
                stroke_width: "90",
            }
            path { d: "M508 376.445L354.25 287.678L354.25 465.213L508 376.445Z" }
        }
    }
}
