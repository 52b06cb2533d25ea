//! How the mock answers an authorization request.

use std::fmt;
use std::str::FromStr;

/// What `GET /auth` does with a valid request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConsentMode {
    /// Show the consent page and wait for the user to press Approve or Deny.
    #[default]
    Ask,
    /// Approve at once: redirect with a code (or show the headless code page).
    AutoApprove,
    /// Deny at once: redirect with `error=access_denied` (or show the denied page).
    AutoDeny,
}

impl ConsentMode {
    /// The name used on the command line and by `POST /__mock/consent?mode=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ask => "ask",
            Self::AutoApprove => "approve",
            Self::AutoDeny => "deny",
        }
    }
}

impl fmt::Display for ConsentMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error from parsing a [`ConsentMode`] that is not `ask`, `approve` or `deny`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseConsentModeError(String);

impl fmt::Display for ParseConsentModeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown consent mode {:?}: expected ask, approve or deny",
            self.0
        )
    }
}

impl std::error::Error for ParseConsentModeError {}

impl FromStr for ConsentMode {
    type Err = ParseConsentModeError;

    /// Parses `ask`, `approve` or `deny` (case-insensitive).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [Self::Ask, Self::AutoApprove, Self::AutoDeny]
            .into_iter()
            .find(|mode| mode.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| ParseConsentModeError(text.to_owned()))
    }
}
