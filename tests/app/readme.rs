//! The README's snippets marked `<!-- readme-check: PATH -->` are excerpts of PATH, word for
//! word: the fullstack ones come from examples/fullstack, which the test command builds, so
//! what the README shows compiles and cannot drift from what runs.

use std::path::Path;

/// Every marked snippet: (the file it is taken from, the fenced block's text).
fn marked_snippets(readme: &str) -> Vec<(String, String)> {
    let mut snippets = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(path) = line
            .trim()
            .strip_prefix("<!-- readme-check: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "the line after the marker for {path} opens no code block: {fence:?}"
        );
        let block: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        snippets.push((path.to_owned(), block.join("\n")));
    }
    snippets
}

/// What is wrong with the marked snippets of `readme`, reading each named file with `read`: a
/// file that cannot be read, or a snippet that is not in its file word for word.
fn drifted(readme: &str, read: impl Fn(&str) -> Result<String, String>) -> Vec<String> {
    marked_snippets(readme)
        .into_iter()
        .filter_map(|(path, block)| match read(&path) {
            Err(error) => Some(format!("{path}, named in the README: {error}")),
            Ok(file) if !file.contains(&block) => Some(format!(
                "the README's snippet from {path} is not in it word for word:\n{block}"
            )),
            Ok(_) => None,
        })
        .collect()
}

#[test]
fn the_readmes_marked_snippets_are_excerpts_of_their_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    // The fullstack path: the Cargo features, the configuration, both mains, the server
    // function and the page's call of it.
    let snippets = marked_snippets(&readme).len();
    assert!(snippets >= 5, "{snippets} marked snippets");
    let read = |path: &str| std::fs::read_to_string(root.join(path)).map_err(|e| e.to_string());
    let wrong = drifted(&readme, read);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_changed_snippet_is_caught() {
    let readme = "text\n<!-- readme-check: a.rs -->\n```rust\nfn a() {}\n```\nmore\n";
    let snippets = marked_snippets(readme);
    assert_eq!(snippets, [("a.rs".to_owned(), "fn a() {}".to_owned())]);
    // The file as the snippet shows it, the file changed since, and no file at all.
    let file = |text: &'static str| move |_: &str| Ok::<_, String>(text.to_owned());
    assert!(drifted(readme, file("// a\nfn a() {}\n")).is_empty());
    assert_eq!(drifted(readme, file("fn a() { }\n")).len(), 1);
    assert_eq!(drifted(readme, |_: &str| Err("gone".to_owned())).len(), 1);
}
