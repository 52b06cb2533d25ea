//! Internals that the project's own tests and fuzz targets reach for. Not part of the public
//! API: anything here may change or go in any release.

pub use crate::auth::callback::strip_callback_params;
pub use crate::components::{ButtonSize, ButtonVariant};

/// Every button variant, in the design's order.
pub const ALL_VARIANTS: [ButtonVariant; 5] = ButtonVariant::ALL;
/// Every button size, smallest first.
pub const ALL_SIZES: [ButtonSize; 4] = ButtonSize::ALL;
