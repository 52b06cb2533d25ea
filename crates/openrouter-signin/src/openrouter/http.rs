//! What the client and its transports share: a request and an answer as the transports see them.
//! A leaf, so that the client sits above its transports and they never reach back into it.

use std::time::Duration;

/// The most bytes read from an answer; the endpoints used here answer a few hundred.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// A request as the transports see it.
pub(crate) struct HttpRequest<'a> {
    /// The JSON body; wiped when dropped, since the exchange's holds the code and the verifier.
    pub post_json: Option<zeroize::Zeroizing<String>>,
    pub url: String,
    pub bearer: Option<&'a str>,
    pub headers: Vec<(&'static str, String)>,
    pub timeout: Duration,
    /// The most bytes read of the answer (when read whole): [`MAX_RESPONSE_BYTES`] but for the
    /// model lists.
    pub max_bytes: usize,
}

/// An answer as the transports return it: the status, `Retry-After`, and at most
/// [`MAX_RESPONSE_BYTES`] of body.
pub(crate) struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<String>,
}
