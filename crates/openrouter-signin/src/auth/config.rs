//! How an app configures sign-in, given once at its root with
//! [`use_openrouter_config`](crate::use_openrouter_config). Every setting has a default that
//! works, so an app that gives none signs in as the reference does.

use std::fmt;
use std::rc::Rc;

use super::authorize::{
    check_key_label, is_same_origin_path, CallbackUrl, CreditLimit, MAX_KEY_LABEL_LEN,
};
use super::storage::AuthStore;
pub use super::storage::DEFAULT_APP_ID;
use crate::messages::Messages;
use crate::openrouter::BaseUrl;
/// Longest app id: it names a folder and a keychain entry.
pub const MAX_APP_ID_LEN: usize = 64;
/// Longest prefix for the web storage entries' names.
pub const MAX_STORAGE_PREFIX_LEN: usize = 64;

/// Sign-in settings for one app.
///
/// ```
/// use openrouter_signin::{BaseUrl, OpenRouterConfig};
///
/// let config = OpenRouterConfig::new("com.example.chat")
///     .base_url(BaseUrl::parse("https://openrouter.ai")?)
///     .key_label("Example Chat")
///     .attribution("https://chat.example.com", "Example Chat")
///     .web_callback("/auth/callback");
/// assert_eq!(config.validate(), Ok(()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct OpenRouterConfig {
    app_id: String,
    base_url: BaseUrl,
    /// Why `OPENROUTER_BASE_URL` was refused, when the app opted into it.
    base_url_error: Option<String>,
    key_label: Option<String>,
    credit_limit: Option<CreditLimit>,
    attribution: Option<(String, String)>,
    web_storage_prefix: String,
    web_callback: Option<String>,
    key_store: Option<Rc<dyn AuthStore>>,
    messages: Option<Messages>,
}

impl Default for OpenRouterConfig {
    fn default() -> Self {
        OpenRouterConfig {
            app_id: DEFAULT_APP_ID.to_owned(),
            base_url: BaseUrl::default(),
            base_url_error: None,
            key_label: None,
            credit_limit: None,
            attribution: None,
            web_storage_prefix: String::new(),
            web_callback: None,
            key_store: None,
            messages: None,
        }
    }
}

impl fmt::Debug for OpenRouterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenRouterConfig")
            .field("app_id", &self.app_id)
            .field("base_url", &self.base_url)
            .field("base_url_error", &self.base_url_error)
            .field("key_label", &self.key_label)
            .field("credit_limit", &self.credit_limit)
            .field("attribution", &self.attribution)
            .field("web_storage_prefix", &self.web_storage_prefix)
            .field("web_callback", &self.web_callback)
            .field("custom_key_store", &self.key_store.is_some())
            .field("messages", &self.messages.as_ref().map(|m| &m.lang))
            .finish()
    }
}

/// Why a configuration was refused. The app then shows this error and cannot sign in, rather
/// than silently signing in somewhere it did not mean to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `OPENROUTER_BASE_URL` is not a valid base URL (what was wrong).
    #[error("{0}")]
    BaseUrl(String),
    /// The app id is empty, too long, or not a plain folder name (the id given).
    #[error("the app id {0:?} must be 1 to {MAX_APP_ID_LEN} letters, digits, '.', '-' or '_', and must not start with '.'")]
    AppId(String),
    /// The key label is empty, too long or has control characters (the label given).
    #[error("the key label {0:?} must be 1 to {MAX_KEY_LABEL_LEN} printable characters")]
    KeyLabel(String),
    /// The attribution's site URL is not an absolute http(s) URL (the URL given).
    #[error("the attribution site URL {0:?} must be an absolute http(s) URL")]
    SiteUrl(String),
    /// The attribution's title is empty or has control characters (the title given).
    #[error("the attribution title {0:?} must be printable and not empty")]
    Title(String),
    /// The web storage prefix is too long or has characters other than letters, digits, '.', '-', '_' (the prefix given).
    #[error("the web storage prefix {0:?} may have at most {MAX_STORAGE_PREFIX_LEN} letters, digits, '.', '-' or '_'")]
    StoragePrefix(String),
    /// The web callback is neither a same-origin path nor an allowed callback URL.
    #[error("the web callback {given:?} must be a path on this site (starting with a single '/') or an absolute callback URL: {reason}")]
    WebCallback {
        /// The callback given.
        given: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The configuration came after sign-in handling had started with the defaults.
    #[error("the OpenRouter configuration came after sign-in had started with the defaults; call use_openrouter_config in the root component, before any use_openrouter_auth")]
    TooLate,
}

fn plain_name(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn printable(text: &str) -> bool {
    !text.trim().is_empty() && !text.chars().any(char::is_control)
}

impl OpenRouterConfig {
    /// The defaults, for the app `app_id` (for example `com.example.chat`): on the desktop the
    /// key lives in the keychain entry of service `app_id`, or in `<config dir>/<app_id>/`, so
    /// that two apps never share a key. The web's storage names do not depend on it.
    pub fn new(app_id: impl Into<String>) -> Self {
        OpenRouterConfig {
            app_id: app_id.into(),
            ..OpenRouterConfig::default()
        }
    }

    /// Where OpenRouter lives (default `https://openrouter.ai`). `BaseUrl::from_env()` reads
    /// `OPENROUTER_BASE_URL` (at run time on the desktop, at build time on the web) for apps
    /// that want it to point at a local mock.
    pub fn base_url(mut self, base_url: BaseUrl) -> Self {
        self.base_url = base_url;
        self.base_url_error = None;
        self
    }

    /// Where OpenRouter lives, from `OPENROUTER_BASE_URL` (read at run time on the desktop and
    /// at build time on the web, where a page has no environment); `https://openrouter.ai` when
    /// it is unset. An invalid value makes [`Self::validate`] fail rather than fall back.
    pub fn base_url_from_env(mut self) -> Self {
        match BaseUrl::from_env() {
            Ok(base) => self = self.base_url(base),
            Err(e) => self.base_url_error = Some(e.to_string()),
        }
        self
    }

    /// The name OpenRouter gives the keys this app receives, sent on every flow that takes one.
    /// Without it the desktop's paste-the-code flow, which needs one, sends "Dioxus desktop app".
    pub fn key_label(mut self, label: impl Into<String>) -> Self {
        self.key_label = Some(label.into());
        self
    }

    /// Asks OpenRouter to put a credit limit on the key the user approves (they see it on the
    /// consent page); the key's status then reports the limit and what remains of it. The user
    /// can change it later on the key's page.
    pub fn credit_limit(mut self, limit: CreditLimit) -> Self {
        self.credit_limit = Some(limit);
        self
    }

    /// Names the app to OpenRouter on every request made with the key (`HTTP-Referer`,
    /// `X-OpenRouter-Title` and `X-Title`), for OpenRouter's app rankings.
    pub fn attribution(mut self, site_url: impl Into<String>, title: impl Into<String>) -> Self {
        self.attribution = Some((site_url.into(), title.into()));
        self
    }

    /// On the web, puts `prefix` before every storage entry's name (`myapp_openrouter_api_key`),
    /// for two apps on one origin. Empty by default: the reference's names, so users of an app
    /// that moves from it stay signed in.
    pub fn web_storage_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.web_storage_prefix = prefix.into();
        self
    }

    /// On the web, where OpenRouter sends the user back: a path on this site (`/auth/callback`,
    /// which the app must serve) or an absolute URL. The user then lands on the page where
    /// they started. By default the callback is the page that started the sign-in.
    pub fn web_callback(mut self, path_or_url: impl Into<String>) -> Self {
        self.web_callback = Some(path_or_url.into());
        self
    }

    /// Shows the library's words in the language of `tag` (BCP 47: `zh-CN`, `en`): Simplified
    /// Chinese for any `zh`, English otherwise. By default the library follows the browser's
    /// language on the web and `LC_ALL`/`LC_MESSAGES`/`LANG` on the desktop; a fullstack app
    /// speaks English unless it sets one, so that its server's render and its page agree.
    pub fn language(mut self, tag: &str) -> Self {
        self.messages = Some(Messages::for_language(tag));
        self
    }

    /// Shows these words instead: another language (right to left too), or the library's with
    /// some replaced.
    ///
    /// ```
    /// use openrouter_signin::{Messages, OpenRouterConfig};
    ///
    /// let mut words = Messages::simplified_chinese();
    /// words.sign_in = "用 OpenRouter 账号登录".into();
    /// let config = OpenRouterConfig::new("com.example.chat").messages(words);
    /// ```
    pub fn messages(mut self, messages: Messages) -> Self {
        self.messages = Some(messages);
        self
    }

    /// The words the app chose, if it chose any.
    pub fn chosen_messages(&self) -> Option<&Messages> {
        self.messages.as_ref()
    }

    /// Keeps the key (and the sign-in in progress) in `store` instead of the platform's store.
    pub fn key_store(mut self, store: impl AuthStore + 'static) -> Self {
        self.key_store = Some(Rc::new(store));
        self
    }

    /// Checks every setting; [`use_openrouter_config`](crate::use_openrouter_config) does too
    /// and shows the error in the sign-in state.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(error) = &self.base_url_error {
            return Err(ConfigError::BaseUrl(error.clone()));
        }
        let id = &self.app_id;
        if id.is_empty() || id.len() > MAX_APP_ID_LEN || id.starts_with('.') || !plain_name(id) {
            return Err(ConfigError::AppId(id.clone()));
        }
        if let Some(label) = &self.key_label {
            check_key_label(label).map_err(|_| ConfigError::KeyLabel(label.clone()))?;
        }
        if let Some((site, title)) = &self.attribution {
            let absolute = site.starts_with("https://") || site.starts_with("http://");
            if !absolute || !printable(site) || site.contains(char::is_whitespace) {
                return Err(ConfigError::SiteUrl(site.clone()));
            }
            if !printable(title) {
                return Err(ConfigError::Title(title.clone()));
            }
        }
        let prefix = &self.web_storage_prefix;
        if prefix.len() > MAX_STORAGE_PREFIX_LEN || !plain_name(prefix) {
            return Err(ConfigError::StoragePrefix(prefix.clone()));
        }
        if let Some(callback) = &self.web_callback {
            check_web_callback(callback)?;
        }
        Ok(())
    }

    /// The app id.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// Where OpenRouter lives.
    pub fn openrouter(&self) -> &BaseUrl {
        &self.base_url
    }

    /// The key label, if one was given.
    pub fn label(&self) -> Option<&str> {
        self.key_label.as_deref()
    }

    /// The credit limit asked for, if one was given.
    pub fn requested_credit_limit(&self) -> Option<CreditLimit> {
        self.credit_limit
    }

    /// The site URL and title the app names itself with, if given.
    pub fn attributed_as(&self) -> Option<(&str, &str)> {
        self.attribution
            .as_ref()
            .map(|(site, title)| (site.as_str(), title.as_str()))
    }

    /// The web storage prefix.
    pub fn storage_prefix(&self) -> &str {
        &self.web_storage_prefix
    }

    /// The fixed web callback, if one was given.
    pub fn callback(&self) -> Option<&str> {
        self.web_callback.as_deref()
    }

    pub(crate) fn custom_store(&self) -> Option<Rc<dyn AuthStore>> {
        self.key_store.clone()
    }
}

fn check_web_callback(callback: &str) -> Result<(), ConfigError> {
    let refuse = |reason: &str| ConfigError::WebCallback {
        given: callback.to_owned(),
        reason: reason.to_owned(),
    };
    if callback.starts_with('/') {
        if !is_same_origin_path(callback) {
            return Err(refuse(
                "a path must not start with '//', which names another site",
            ));
        }
        if callback.contains(['#', '?'])
            || callback
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(refuse(
                "a path must have no query, fragment, white space or control characters",
            ));
        }
        return Ok(());
    }
    CallbackUrl::parse(callback)
        .map(|_| ())
        .map_err(|e| refuse(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_name_the_reference_storage() {
        let config = OpenRouterConfig::default();
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.app_id(), DEFAULT_APP_ID);
        assert_eq!(config.openrouter().as_str(), "https://openrouter.ai");
        assert_eq!(config.storage_prefix(), "");
        assert_eq!(config.callback(), None);
    }

    #[test]
    fn bad_settings_are_refused_with_what_was_wrong() {
        for id in [
            "",
            ".hidden",
            "../escape",
            "a/b",
            "with space",
            &"x".repeat(65),
        ] {
            assert_eq!(
                OpenRouterConfig::new(id).validate(),
                Err(ConfigError::AppId(id.to_owned())),
                "{id:?}"
            );
        }
        assert!(OpenRouterConfig::new("com.example.app_1-b")
            .validate()
            .is_ok());
        let label = OpenRouterConfig::default().key_label("two\nlines");
        assert!(matches!(label.validate(), Err(ConfigError::KeyLabel(_))));
        let site = OpenRouterConfig::default().attribution("example.com", "Example");
        assert!(matches!(site.validate(), Err(ConfigError::SiteUrl(_))));
        let title = OpenRouterConfig::default().attribution("https://example.com", " ");
        assert!(matches!(title.validate(), Err(ConfigError::Title(_))));
        let prefix = OpenRouterConfig::default().web_storage_prefix("my app:");
        assert!(matches!(
            prefix.validate(),
            Err(ConfigError::StoragePrefix(_))
        ));
        for callback in [
            "//evil.example/cb",
            "/\\evil",
            "/cb?x=1",
            "/cb#f",
            "http://example.com/cb",
            "cb",
        ] {
            let config = OpenRouterConfig::default().web_callback(callback);
            let err = config.validate().unwrap_err();
            assert!(err.to_string().contains(&format!("{callback:?}")), "{err}");
        }
        for callback in [
            "/auth/callback",
            "https://app.example.com/cb",
            "http://127.0.0.1:8080/cb",
        ] {
            assert_eq!(
                OpenRouterConfig::default()
                    .web_callback(callback)
                    .validate(),
                Ok(())
            );
        }
    }
}
