//! The fullstack mode while the server renders a page: nothing runs and nothing is started.
//! The state comes from the request (`server::render`), carried to the page's hydration by the
//! session; the page's own platform code (`fullstack_page.rs`) takes over in the browser.

use std::rc::Rc;

use super::flow::FlowError;
use super::runtime::Runtime;
use super::state::Report;

/// The server finishes sign-ins in its own routes; a render never does.
pub(super) fn returning(_rt: &Rc<Runtime>) -> bool {
    false
}

/// A render follows nothing.
pub(super) fn on_start(_rt: &Rc<Runtime>, _report: Report) {}

/// A render is never clicked.
pub(super) fn sign_in(_rt: &Rc<Runtime>, _report: Report) -> Result<(), FlowError> {
    Ok(())
}

/// Nothing to cancel in a render.
pub(super) fn cancel(_rt: &Rc<Runtime>) {}

/// A render never signs out.
pub(super) fn sign_out(_rt: &Rc<Runtime>, _report: Report) {}
