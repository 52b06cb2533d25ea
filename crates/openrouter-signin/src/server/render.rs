//! What a page rendered by the server knows of the sign-in: the request's key cookie (opened,
//! never shown), the failure code its URL came back with, and the address a sign-in started
//! from it comes back to. The session carries it into the
//! page's hydration, so that the server's HTML and the page's first render agree.

use axum::http::request::Parts;

use super::request::{key_from, query_value};
use super::SignInServer;
use crate::fullstack::{
    RenderedSession, ServerSession, SignInFailure, FAILURE_PARAM, SIGNED_IN_PARAM,
};

/// The sign-in of the request being rendered; nothing outside a render, or when the app did not
/// mount the server with [`SignInServer::mount`].
pub(crate) fn rendered_session() -> RenderedSession {
    let Some(context) = dioxus::fullstack::FullstackContext::current() else {
        return RenderedSession::default();
    };
    let parts = context.parts_mut();
    session_of(&parts)
}

fn session_of(parts: &Parts) -> RenderedSession {
    let failure = parts
        .uri
        .query()
        .and_then(|query| query_value(query, FAILURE_PARAM).ok().flatten())
        .and_then(|code| SignInFailure::from_code(&code))
        .map(|failure| failure.code().to_owned());
    let session = parts.extensions.get::<SignInServer>().and_then(|server| {
        let key = key_from(server, &parts.headers)?;
        Some(ServerSession::new(
            key.masked(),
            key.manage_url(server.inner.client.base_url()),
        ))
    });
    let return_to = parts
        .uri
        .path_and_query()
        .and_then(|path| crate::fullstack::return_path(path.as_str()));
    let signed_in_now = parts
        .uri
        .query()
        .and_then(|query| query_value(query, SIGNED_IN_PARAM).ok().flatten())
        .is_some_and(|value| value == "1");
    RenderedSession {
        session,
        failure,
        return_to,
        signed_in_now,
    }
}
