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

#[test]
fn the_readmes_marked_snippets_are_excerpts_of_their_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let snippets = marked_snippets(&readme);
    // The fullstack path: the Cargo features, the configuration, both mains, the server
    // function and the page's call of it.
    assert!(snippets.len() >= 5, "{} marked snippets", snippets.len());
    for (path, block) in snippets {
        let file = std::fs::read_to_string(root.join(&path))
            .unwrap_or_else(|error| panic!("{path}, named in the README: {error}"));
        assert!(
            file.contains(&block),
            "the README's snippet from {path} is not in it word for word:\n{block}"
        );
    }
}

#[test]
fn a_changed_snippet_is_caught() {
    let readme = "text\n<!-- readme-check: a.rs -->\n```rust\nfn a() {}\n```\nmore\n";
    let snippets = marked_snippets(readme);
    assert_eq!(snippets, [("a.rs".to_owned(), "fn a() {}".to_owned())]);
    assert!(!"fn a() { }".contains(&snippets[0].1));
}
