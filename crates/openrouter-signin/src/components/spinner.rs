use dioxus::prelude::*;

/// A small spinning ring in `currentColor`, shown while a sign-in is under way; still with
/// `prefers-reduced-motion: reduce`. Decorative: the button it sits in carries `aria-busy` and
/// keeps its accessible name.
#[component]
pub fn Spinner(
    /// Size classes, e.g. `size-4`.
    #[props(default = "size-4".to_string(), into)]
    class: String,
) -> Element {
    spinner_svg(&class)
}

/// The spinner's markup, for components that draw it inside their own render (the sign-in
/// button) rather than as a child component of their own: no scope or props per spinner.
pub(crate) fn spinner_svg(class: &str) -> Element {
    rsx! {
        svg {
            // Still for those who ask for less motion: the ring and the button's busy state
            // (its label and `aria-busy`) still say that the sign-in is under way.
            class: "animate-spin motion-reduce:animate-none {class}",
            view_box: "0 0 24 24",
            fill: "none",
            "aria-hidden": "true",
            "focusable": "false",
            "data-spinner": "",
            circle { cx: "12", cy: "12", r: "10", stroke: "currentColor", stroke_width: "4", opacity: "0.25" }
            path { d: "M22 12a10 10 0 0 0-10-10", stroke: "currentColor", stroke_width: "4", stroke_linecap: "round" }
        }
    }
}
