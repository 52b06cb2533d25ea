//! Lookup in decoded query / form pairs.

/// The single value of `name`, `Ok(None)` when absent, or an error message when repeated:
/// a parameter given twice is ambiguous, and OAuth says to refuse it.
pub(crate) fn single<'a>(
    pairs: &'a [(String, String)],
    name: &str,
) -> Result<Option<&'a str>, String> {
    let mut values = pairs.iter().filter(|(key, _)| key == name);
    let first = values.next().map(|(_, value)| value.as_str());
    if values.next().is_some() {
        return Err(format!("{name} must not be repeated."));
    }
    Ok(first)
}
