//! The gallery app: every SignInButton variant and size, a real sign-in, and the key's status.

mod gallery;

fn main() {
    dioxus::launch(gallery::App);
}
