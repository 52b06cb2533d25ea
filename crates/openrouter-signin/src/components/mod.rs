//! The UI pieces: the sign-in button, the OpenRouter logo and the loading spinner.
//! They bring their own compiled CSS, so they look right in an app without Tailwind.

mod logo;
mod sign_in_button;
mod spinner;
mod stylesheet;

pub use logo::OpenRouterLogo;
pub use sign_in_button::{
    ButtonSize, ButtonVariant, LogoPosition, SignInButton, BUTTON_CSS, DEFAULT_LABEL,
};
pub use spinner::Spinner;
pub use stylesheet::{asset_stylesheet, LinkStylesheet};
