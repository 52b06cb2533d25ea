//! The gallery app: every SignInButton variant and size, a real sign-in, and the key's status.

mod gallery;

fn main() {
    #[cfg(feature = "desktop")]
    {
        use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
        let window = WindowBuilder::new()
            .with_title("Sign in with OpenRouter for Dioxus")
            .with_inner_size(LogicalSize::new(1200.0, 900.0));
        // No menu bar: the gallery has nothing to put in it.
        let config = Config::new().with_window(window).with_menu(None);
        dioxus::LaunchBuilder::desktop()
            .with_cfg(config)
            .launch(gallery::App);
    }
    #[cfg(not(feature = "desktop"))]
    dioxus::launch(gallery::App);
}
