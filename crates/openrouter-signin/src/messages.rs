//! Every word the library shows a user, in one table per language: the button's words, where
//! the key is kept, each notice and each error. The library ships English and Simplified
//! Chinese; an app picks one with [`OpenRouterConfig::language`](crate::OpenRouterConfig::language),
//! supplies its own (any language, right to left too) with
//! [`OpenRouterConfig::messages`](crate::OpenRouterConfig::messages), or lets the library follow
//! the browser's or the system's language. A leaf: it imports nothing of the crate.
//!
//! A message that carries values is a template with named places (`{detail}`, `{minutes}`,
//! `{path}`, `{service}`): each language puts them where its grammar wants them, and nothing is
//! assembled from English fragments.

use std::borrow::Cow;

/// The words of one language. Start from [`Messages::english`] or
/// [`Messages::simplified_chinese`] and replace what you like:
///
/// ```
/// use openrouter_signin::Messages;
///
/// let mut words = Messages::english();
/// words.sign_in = "Continue with OpenRouter".into();
/// assert_eq!(words.sign_in, "Continue with OpenRouter");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Messages {
    /// The language's BCP 47 tag (`en`, `zh-Hans`, `ar`), put on the library's elements as `lang`.
    pub lang: Cow<'static, str>,
    /// Whether the language is written right to left (the app sets `dir="rtl"` on its layout).
    pub right_to_left: bool,
    /// The sign-in button's words.
    pub sign_in: Cow<'static, str>,

    /// The sentence that says where the key is kept; `{location}` is one of the `key_in_*`.
    pub key_kept_in: Cow<'static, str>,
    /// Where the key is kept: this browser's localStorage.
    pub key_in_local_storage: Cow<'static, str>,
    /// Where the key is kept: the page's memory, as the browser keeps no data for the site.
    pub key_in_page_memory: Cow<'static, str>,
    /// Where the key is kept: the app's memory.
    pub key_in_memory: Cow<'static, str>,
    /// Where the key is kept: a file; `{path}`.
    pub key_in_file: Cow<'static, str>,
    /// Where the key is kept: the system keychain; `{service}`.
    pub key_in_keychain: Cow<'static, str>,
    /// Where the key is kept: the fullstack server's sealed cookie.
    pub key_in_server_cookie: Cow<'static, str>,

    /// The browser keeps no data for this site; `{detail}` says why.
    pub not_remembered_by_browser: Cow<'static, str>,
    /// The key's store could not be opened; `{detail}` says why.
    pub store_unavailable: Cow<'static, str>,
    /// Signed in, but the key could not be saved; `{detail}` says why.
    pub signed_in_not_saved: Cow<'static, str>,

    /// The sign-in could not start; `{detail}` says why.
    pub could_not_start: Cow<'static, str>,
    /// The user declined on OpenRouter.
    pub cancelled: Cow<'static, str>,
    /// The user declined on OpenRouter; `{detail}` is OpenRouter's own explanation.
    pub cancelled_because: Cow<'static, str>,
    /// The return's state differs from the one sent.
    pub state_mismatch: Cow<'static, str>,
    /// The return carries no state.
    pub state_missing: Cow<'static, str>,
    /// The sign-in took too long; `{minutes}`.
    pub expired: Cow<'static, str>,
    /// The return reached a tab or window that did not start the sign-in.
    pub started_elsewhere: Cow<'static, str>,
    /// A pasted code with no sign-in waiting for it.
    pub nothing_pending: Cow<'static, str>,
    /// The return could not be read; `{detail}`.
    pub unreadable_return: Cow<'static, str>,
    /// OpenRouter handed out no key; `{detail}`.
    pub no_key: Cow<'static, str>,
    /// OpenRouter says the code has expired.
    pub code_expired: Cow<'static, str>,
    /// The key could not be read or saved; `{detail}`.
    pub storage_failed: Cow<'static, str>,
    /// The app's OpenRouter settings are unusable; `{detail}`.
    pub misconfigured: Cow<'static, str>,
    /// The desktop's wait for the browser ended without a return; `{detail}`.
    pub browser_did_not_return: Cow<'static, str>,
    /// Fullstack: this browser has no sign-in waiting on the server.
    pub server_nothing_pending: Cow<'static, str>,
    /// Fullstack: the pending sign-in's cookie was refused.
    pub server_pending_refused: Cow<'static, str>,
    /// Fullstack: the server's sign-in settings are incomplete.
    pub server_misconfigured: Cow<'static, str>,
    /// OpenRouter refused a request; `{status}`, `{message}` (OpenRouter's words).
    pub api_refused: Cow<'static, str>,
    /// The authorization code had expired; `{minutes}`.
    pub code_too_old: Cow<'static, str>,
    /// An error status without OpenRouter's message; `{status}`.
    pub http_status: Cow<'static, str>,
    /// Too many requests.
    pub rate_limited: Cow<'static, str>,
    /// Too many requests, and how long to wait; `{seconds}`.
    pub rate_limited_retry: Cow<'static, str>,
    /// A message with OpenRouter's own words after it; `{text}`, `{message}`.
    pub with_openrouter_message: Cow<'static, str>,
    /// A redirect, never followed; `{status}`.
    pub redirected: Cow<'static, str>,
    /// An answer that was not understood; `{detail}`.
    pub not_understood: Cow<'static, str>,
    /// An answer over the size read; `{limit}` (bytes).
    pub too_large: Cow<'static, str>,
    /// No answer in time; `{seconds}`.
    pub timeout_seconds: Cow<'static, str>,
    /// No answer in time; `{millis}`.
    pub timeout_millis: Cow<'static, str>,
    /// OpenRouter could not be reached; `{url}`, `{detail}`.
    pub unreachable: Cow<'static, str>,
    /// A return URL longer than is read; `{length}`, `{limit}` (bytes).
    pub return_too_long: Cow<'static, str>,
    /// A parameter that appears twice; `{param}`.
    pub param_repeated: Cow<'static, str>,
    /// A parameter longer than allowed; `{param}`, `{length}`, `{limit}`.
    pub param_too_long: Cow<'static, str>,
    /// A parameter with broken percent-encoding; `{param}`.
    pub param_bad_encoding: Cow<'static, str>,
    /// A parameter that is not UTF-8; `{param}`.
    pub param_not_utf8: Cow<'static, str>,
    /// An empty parameter; `{param}`.
    pub param_empty: Cow<'static, str>,
    /// A parameter with white space or control characters; `{param}`.
    pub param_bad_characters: Cow<'static, str>,
    /// A return with both a code and an error.
    pub code_and_error: Cow<'static, str>,
    /// A return with a state but neither a code nor an error.
    pub state_only: Cow<'static, str>,
    /// Desktop: the loopback listener could not be opened; `{detail}`.
    pub listen_failed: Cow<'static, str>,
    /// Desktop: the browser did not come back in time; `{minutes}`.
    pub browser_timed_out: Cow<'static, str>,
    /// Desktop: the wait was cancelled.
    pub wait_cancelled: Cow<'static, str>,
    /// A store that is not there; `{place}`, `{reason}` (the browser's or the system's words).
    pub storage_unavailable: Cow<'static, str>,
    /// A store that refused a write; `{place}`, `{reason}`.
    pub storage_refused: Cow<'static, str>,
    /// A store holding something not written by the library; `{place}`, `{expected}`.
    pub storage_corrupt: Cow<'static, str>,
    /// A file or keychain entry that could not be read; `{path}`, `{reason}`.
    pub io_read: Cow<'static, str>,
    /// ... written; `{path}`, `{reason}`.
    pub io_write: Cow<'static, str>,
    /// ... created; `{path}`, `{reason}`.
    pub io_create: Cow<'static, str>,
    /// ... removed; `{path}`, `{reason}`.
    pub io_remove: Cow<'static, str>,
    /// A place named in those: the system keychain.
    pub place_keychain: Cow<'static, str>,
    /// A place: the system keychain's entry.
    pub place_keychain_entry: Cow<'static, str>,
    /// A place: the configuration directory.
    pub place_config_dir: Cow<'static, str>,
    /// A place: the system's secure random numbers.
    pub place_random: Cow<'static, str>,
    /// A place: the page.
    pub place_page: Cow<'static, str>,
    /// A place: the page's address.
    pub place_page_address: Cow<'static, str>,
    /// A place: the page's navigation.
    pub place_navigation: Cow<'static, str>,
    /// A place: the app's own server (fullstack).
    pub place_app_server: Cow<'static, str>,
    /// What a store should have held: an OpenRouter key.
    pub expected_key: Cow<'static, str>,
    /// ... a PKCE verifier.
    pub expected_verifier: Cow<'static, str>,
    /// ... a sign-in's state.
    pub expected_state: Cow<'static, str>,
    /// No secure random numbers; `{detail}`.
    pub no_random: Cow<'static, str>,
    /// No SHA-256 in this page (not https or localhost); `{detail}`.
    pub no_sha256: Cow<'static, str>,
    /// Desktop: no way back from the browser could be opened; `{detail}` says why.
    pub no_listener: Cow<'static, str>,
    /// Desktop: no browser could be opened; `{detail}` says why.
    pub no_browser: Cow<'static, str>,
    /// A sign-in the user cancelled here.
    pub cancelled_here: Cow<'static, str>,
    /// Fullstack: the return could not be read (the page learns no more).
    pub server_unreadable_return: Cow<'static, str>,
    /// Fullstack: OpenRouter handed out no key (the page learns no more).
    pub server_no_key: Cow<'static, str>,
}

impl Messages {
    /// The library's English words.
    pub fn english() -> Self {
        Messages {
            lang: "en".into(),
            right_to_left: false,
            sign_in: "Sign in with OpenRouter".into(),
            key_kept_in: "The key is kept in {location}.".into(),
            key_in_local_storage: "this browser's localStorage for this site".into(),
            key_in_page_memory: "this page's memory only".into(),
            key_in_memory: "memory only (it is forgotten when the app closes)".into(),
            key_in_file: "the file {path} (readable only by you)".into(),
            key_in_keychain: "the system keychain (service {service})".into(),
            key_in_server_cookie: "a sealed HttpOnly cookie that only the app's server can read".into(),
            not_remembered_by_browser: "This browser does not let this site keep data ({detail}), so the key will not be remembered after this page closes.".into(),
            store_unavailable: "{detail}. You can sign in, but the key will not be remembered.".into(),
            signed_in_not_saved: "{detail}. You are signed in, but the key will not be remembered.".into(),
            could_not_start: "The sign-in could not start: {detail}".into(),
            cancelled: "Sign-in was cancelled on OpenRouter. Press Sign in to try again.".into(),
            cancelled_because: "Sign-in was cancelled on OpenRouter: {detail}. Press Sign in to try again.".into(),
            state_mismatch: "The sign-in return did not carry the state this app sent, so it was ignored. Press Sign in to start again.".into(),
            state_missing: "The sign-in return carried no state, so it was ignored. Press Sign in to start again.".into(),
            expired: "The sign-in took longer than {minutes} minutes and has expired. Press Sign in to start again.".into(),
            started_elsewhere: "This sign-in was started in another tab or window (or this tab's storage was cleared), so it cannot be finished here. Press Sign in to start again.".into(),
            nothing_pending: "No sign-in is waiting for a code here. Press Sign in first, then paste the code OpenRouter shows.".into(),
            unreadable_return: "The sign-in return could not be read ({detail}). Press Sign in to start again.".into(),
            no_key: "OpenRouter did not hand out a key: {detail}. Press Sign in to try again.".into(),
            code_expired: "OpenRouter says the sign-in code has expired. Press Sign in to try again.".into(),
            storage_failed: "The key could not be kept: {detail}".into(),
            misconfigured: "The app's OpenRouter address is misconfigured: {detail}".into(),
            browser_did_not_return: "{detail}. Press Sign in to try again.".into(),
            server_nothing_pending: "This browser has no sign-in waiting (it was started in another browser, or cookies are blocked or were cleared). Press Sign in to start again.".into(),
            server_pending_refused: "The sign-in could not be finished: its cookie was altered or comes from another server. Press Sign in to start again.".into(),
            server_misconfigured: "The server's sign-in settings are incomplete (its OpenRouter address or its public origin); its log says which. Sign-in cannot work until that is fixed.".into(),
            api_refused: "OpenRouter refused the request ({status}): {message}".into(),
            code_too_old: "the authorization code was older than {minutes} minutes and has expired".into(),
            http_status: "OpenRouter answered HTTP {status} without an error message".into(),
            rate_limited: "OpenRouter is rate limiting this key".into(),
            rate_limited_retry: "OpenRouter is rate limiting this key; try again in {seconds} s".into(),
            with_openrouter_message: "{text} ({message})".into(),
            redirected: "OpenRouter answered with a redirect (HTTP {status}), which is not followed".into(),
            not_understood: "OpenRouter's answer was not understood: {detail}".into(),
            too_large: "OpenRouter's answer is larger than {limit} bytes".into(),
            timeout_seconds: "OpenRouter did not answer within {seconds} s".into(),
            timeout_millis: "OpenRouter did not answer within {millis} ms".into(),
            unreachable: "could not reach OpenRouter at {url}: {detail}".into(),
            return_too_long: "the return URL is {length} bytes long; at most {limit} are read".into(),
            param_repeated: "the `{param}` parameter appears more than once".into(),
            param_too_long: "the `{param}` parameter is {length} bytes long; at most {limit} are accepted".into(),
            param_bad_encoding: "the `{param}` parameter has invalid percent-encoding".into(),
            param_not_utf8: "the `{param}` parameter is not valid UTF-8".into(),
            param_empty: "the `{param}` parameter is empty".into(),
            param_bad_characters: "the `{param}` parameter contains white space or control characters".into(),
            code_and_error: "the return carries both a code and an error".into(),
            state_only: "the return carries a state but neither a code nor an error".into(),
            listen_failed: "could not listen on 127.0.0.1 for the browser's return: {detail}".into(),
            browser_timed_out: "the browser did not come back within {minutes} minutes; the sign-in was stopped".into(),
            wait_cancelled: "the sign-in was cancelled".into(),
            storage_unavailable: "{place} is not available: {reason}".into(),
            storage_refused: "{place} refused to save: {reason}".into(),
            storage_corrupt: "{place} holds something that is not a valid {expected}; it was left as it is".into(),
            io_read: "could not read {path}: {reason}".into(),
            io_write: "could not write {path}: {reason}".into(),
            io_create: "could not create {path}: {reason}".into(),
            io_remove: "could not remove {path}: {reason}".into(),
            place_keychain: "the system keychain".into(),
            place_keychain_entry: "the system keychain entry".into(),
            place_config_dir: "the config directory".into(),
            place_random: "secure random numbers".into(),
            place_page: "the page".into(),
            place_page_address: "the page address".into(),
            place_navigation: "navigation".into(),
            place_app_server: "the app's server".into(),
            expected_key: "OpenRouter key".into(),
            expected_verifier: "PKCE verifier".into(),
            expected_state: "state".into(),
            no_random: "no secure random numbers are available: {detail}".into(),
            no_sha256: "this page cannot compute SHA-256 ({detail}); browsers offer it only to pages served over https or from localhost".into(),
            no_listener: "{detail}. Approve in a browser and paste the code below.".into(),
            no_browser: "No browser could be opened ({detail}). Open the link below by hand.".into(),
            cancelled_here: "Sign-in cancelled; nothing was changed.".into(),
            server_unreadable_return: "The sign-in return could not be read. Press Sign in to start again.".into(),
            server_no_key: "OpenRouter did not hand out a key. Press Sign in to try again.".into(),
        }
    }

    /// The library's Simplified Chinese words.
    pub fn simplified_chinese() -> Self {
        Messages {
            lang: "zh-Hans".into(),
            right_to_left: false,
            sign_in: "使用 OpenRouter 登录".into(),
            key_kept_in: "密钥保存在{location}。".into(),
            key_in_local_storage: "此浏览器为本网站保存的 localStorage".into(),
            key_in_page_memory: "仅此页面的内存".into(),
            key_in_memory: "仅内存（关闭应用后即被遗忘）".into(),
            key_in_file: "文件 {path}（仅你可读）".into(),
            key_in_keychain: "系统钥匙串（服务 {service}）".into(),
            key_in_server_cookie: "只有本应用服务器能读取的加密 HttpOnly Cookie".into(),
            not_remembered_by_browser: "此浏览器不允许本网站保存数据（{detail}），因此关闭此页面后将不再记住密钥。".into(),
            store_unavailable: "{detail}。你可以登录，但密钥不会被记住。".into(),
            signed_in_not_saved: "{detail}。你已登录，但密钥不会被记住。".into(),
            could_not_start: "无法开始登录：{detail}".into(),
            cancelled: "已在 OpenRouter 上取消登录。请点击登录重试。".into(),
            cancelled_because: "已在 OpenRouter 上取消登录：{detail}。请点击登录重试。".into(),
            state_mismatch: "登录返回的 state 与本应用发送的不一致，已被忽略。请点击登录重新开始。".into(),
            state_missing: "登录返回中没有 state，已被忽略。请点击登录重新开始。".into(),
            expired: "登录超过 {minutes} 分钟，已过期。请点击登录重新开始。".into(),
            started_elsewhere: "此登录是在另一个标签页或窗口中开始的（或此标签页的存储已被清除），无法在这里完成。请点击登录重新开始。".into(),
            nothing_pending: "这里没有等待代码的登录。请先点击登录，再粘贴 OpenRouter 显示的代码。".into(),
            unreadable_return: "无法读取登录返回（{detail}）。请点击登录重新开始。".into(),
            no_key: "OpenRouter 没有发放密钥：{detail}。请点击登录重试。".into(),
            code_expired: "OpenRouter 表示登录代码已过期。请点击登录重试。".into(),
            storage_failed: "无法保存密钥：{detail}".into(),
            misconfigured: "应用的 OpenRouter 地址配置有误：{detail}".into(),
            browser_did_not_return: "{detail}。请点击登录重试。".into(),
            server_nothing_pending: "此浏览器没有等待中的登录（它是在另一个浏览器中开始的，或 Cookie 被阻止或已被清除）。请点击登录重新开始。".into(),
            server_pending_refused: "无法完成登录：它的 Cookie 被篡改或来自另一台服务器。请点击登录重新开始。".into(),
            server_misconfigured: "服务器的登录设置不完整（OpenRouter 地址或公开来源），服务器日志中有说明。修复之前无法登录。".into(),
            api_refused: "OpenRouter 拒绝了请求（{status}）：{message}".into(),
            code_too_old: "授权码已超过 {minutes} 分钟，已过期".into(),
            http_status: "OpenRouter 返回了 HTTP {status}，但没有错误信息".into(),
            rate_limited: "OpenRouter 正在限制此密钥的请求频率".into(),
            rate_limited_retry: "OpenRouter 正在限制此密钥的请求频率；请在 {seconds} 秒后重试".into(),
            with_openrouter_message: "{text}（{message}）".into(),
            redirected: "OpenRouter 返回了重定向（HTTP {status}），不会跟随".into(),
            not_understood: "无法理解 OpenRouter 的回答：{detail}".into(),
            too_large: "OpenRouter 的回答超过 {limit} 字节".into(),
            timeout_seconds: "OpenRouter 在 {seconds} 秒内没有回答".into(),
            timeout_millis: "OpenRouter 在 {millis} 毫秒内没有回答".into(),
            unreachable: "无法连接 OpenRouter（{url}）：{detail}".into(),
            return_too_long: "返回的 URL 长 {length} 字节，最多只读取 {limit} 字节".into(),
            param_repeated: "参数 `{param}` 出现了不止一次".into(),
            param_too_long: "参数 `{param}` 长 {length} 字节，最多接受 {limit} 字节".into(),
            param_bad_encoding: "参数 `{param}` 的百分号编码无效".into(),
            param_not_utf8: "参数 `{param}` 不是有效的 UTF-8".into(),
            param_empty: "参数 `{param}` 为空".into(),
            param_bad_characters: "参数 `{param}` 含有空白或控制字符".into(),
            code_and_error: "返回中同时带有代码和错误".into(),
            state_only: "返回中带有 state，但既没有代码也没有错误".into(),
            listen_failed: "无法在 127.0.0.1 上等待浏览器返回：{detail}".into(),
            browser_timed_out: "浏览器在 {minutes} 分钟内没有返回，登录已停止".into(),
            wait_cancelled: "登录已取消".into(),
            storage_unavailable: "{place} 不可用：{reason}".into(),
            storage_refused: "{place} 拒绝保存：{reason}".into(),
            storage_corrupt: "{place} 中保存的不是有效的 {expected}，已保持原样".into(),
            io_read: "无法读取 {path}：{reason}".into(),
            io_write: "无法写入 {path}：{reason}".into(),
            io_create: "无法创建 {path}：{reason}".into(),
            io_remove: "无法删除 {path}：{reason}".into(),
            place_keychain: "系统钥匙串".into(),
            place_keychain_entry: "系统钥匙串条目".into(),
            place_config_dir: "配置目录".into(),
            place_random: "安全随机数".into(),
            place_page: "页面".into(),
            place_page_address: "页面地址".into(),
            place_navigation: "页面跳转".into(),
            place_app_server: "应用的服务器".into(),
            expected_key: "OpenRouter 密钥".into(),
            expected_verifier: "PKCE 验证码".into(),
            expected_state: "state 值".into(),
            no_random: "没有可用的安全随机数：{detail}".into(),
            no_sha256: "此页面无法计算 SHA-256（{detail}）；浏览器只向通过 https 或从 localhost 提供的页面提供它".into(),
            no_listener: "{detail}。请在浏览器中批准，然后在下方粘贴代码。".into(),
            no_browser: "无法打开浏览器（{detail}）。请手动打开下方的链接。".into(),
            cancelled_here: "已取消登录，没有任何更改。".into(),
            server_unreadable_return: "无法读取登录返回。请点击登录重新开始。".into(),
            server_no_key: "OpenRouter 没有发放密钥。请点击登录重试。".into(),
        }
    }

    /// The library's table for a BCP 47 language tag (`zh-CN`, `zh-Hans-SG`, `en-GB`, or a POSIX
    /// locale such as `zh_CN.UTF-8`): Chinese for any `zh`, English for anything else.
    pub fn for_language(tag: &str) -> Self {
        let primary = tag
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Self::simplified_chinese(),
            _ => Self::english(),
        }
    }

    /// Every message, by its field's name: to check a table of the app's own (that each is
    /// translated, that each keeps its places such as `{detail}`).
    pub fn entries(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("sign_in", &self.sign_in),
            ("key_kept_in", &self.key_kept_in),
            ("key_in_local_storage", &self.key_in_local_storage),
            ("key_in_page_memory", &self.key_in_page_memory),
            ("key_in_memory", &self.key_in_memory),
            ("key_in_file", &self.key_in_file),
            ("key_in_keychain", &self.key_in_keychain),
            ("key_in_server_cookie", &self.key_in_server_cookie),
            ("not_remembered_by_browser", &self.not_remembered_by_browser),
            ("store_unavailable", &self.store_unavailable),
            ("signed_in_not_saved", &self.signed_in_not_saved),
            ("could_not_start", &self.could_not_start),
            ("cancelled", &self.cancelled),
            ("cancelled_because", &self.cancelled_because),
            ("state_mismatch", &self.state_mismatch),
            ("state_missing", &self.state_missing),
            ("expired", &self.expired),
            ("started_elsewhere", &self.started_elsewhere),
            ("nothing_pending", &self.nothing_pending),
            ("unreadable_return", &self.unreadable_return),
            ("no_key", &self.no_key),
            ("code_expired", &self.code_expired),
            ("storage_failed", &self.storage_failed),
            ("misconfigured", &self.misconfigured),
            ("browser_did_not_return", &self.browser_did_not_return),
            ("server_nothing_pending", &self.server_nothing_pending),
            ("server_pending_refused", &self.server_pending_refused),
            ("server_misconfigured", &self.server_misconfigured),
            ("api_refused", &self.api_refused),
            ("code_too_old", &self.code_too_old),
            ("http_status", &self.http_status),
            ("rate_limited", &self.rate_limited),
            ("rate_limited_retry", &self.rate_limited_retry),
            ("with_openrouter_message", &self.with_openrouter_message),
            ("redirected", &self.redirected),
            ("not_understood", &self.not_understood),
            ("too_large", &self.too_large),
            ("timeout_seconds", &self.timeout_seconds),
            ("timeout_millis", &self.timeout_millis),
            ("unreachable", &self.unreachable),
            ("return_too_long", &self.return_too_long),
            ("param_repeated", &self.param_repeated),
            ("param_too_long", &self.param_too_long),
            ("param_bad_encoding", &self.param_bad_encoding),
            ("param_not_utf8", &self.param_not_utf8),
            ("param_empty", &self.param_empty),
            ("param_bad_characters", &self.param_bad_characters),
            ("code_and_error", &self.code_and_error),
            ("state_only", &self.state_only),
            ("listen_failed", &self.listen_failed),
            ("browser_timed_out", &self.browser_timed_out),
            ("wait_cancelled", &self.wait_cancelled),
            ("storage_unavailable", &self.storage_unavailable),
            ("storage_refused", &self.storage_refused),
            ("storage_corrupt", &self.storage_corrupt),
            ("io_read", &self.io_read),
            ("io_write", &self.io_write),
            ("io_create", &self.io_create),
            ("io_remove", &self.io_remove),
            ("place_keychain", &self.place_keychain),
            ("place_keychain_entry", &self.place_keychain_entry),
            ("place_config_dir", &self.place_config_dir),
            ("place_random", &self.place_random),
            ("place_page", &self.place_page),
            ("place_page_address", &self.place_page_address),
            ("place_navigation", &self.place_navigation),
            ("place_app_server", &self.place_app_server),
            ("expected_key", &self.expected_key),
            ("expected_verifier", &self.expected_verifier),
            ("expected_state", &self.expected_state),
            ("no_random", &self.no_random),
            ("no_sha256", &self.no_sha256),
            ("no_listener", &self.no_listener),
            ("no_browser", &self.no_browser),
            ("cancelled_here", &self.cancelled_here),
            ("server_unreadable_return", &self.server_unreadable_return),
            ("server_no_key", &self.server_no_key),
        ]
    }

    /// A place the library names in an error (`the system keychain`, `the page address`, ...), in
    /// these words; a name it does not know (a store of the app's own, a file's path,
    /// `localStorage`) as it is.
    pub fn place(&self, english: &str) -> String {
        let known = [
            ("the system keychain", &self.place_keychain),
            ("the system keychain entry", &self.place_keychain_entry),
            ("the config directory", &self.place_config_dir),
            ("secure random numbers", &self.place_random),
            ("the page", &self.place_page),
            ("the page address", &self.place_page_address),
            ("navigation", &self.place_navigation),
            ("the app's server", &self.place_app_server),
            ("OpenRouter key", &self.expected_key),
            ("PKCE verifier", &self.expected_verifier),
            ("state", &self.expected_state),
        ];
        known
            .iter()
            .find(|(name, _)| *name == english)
            .map(|(_, words)| words.to_string())
            .unwrap_or_else(|| english.to_owned())
    }

    /// The library's table for the platform's language ([`platform_language`]): what an app
    /// that chose none speaks.
    pub fn for_platform() -> Self {
        Self::for_language(&platform_language().unwrap_or_default())
    }

    /// Where the key is kept, in these words.
    pub fn key_location(&self, location: &KeyLocation) -> String {
        match location {
            KeyLocation::LocalStorage => self.key_in_local_storage.to_string(),
            KeyLocation::PageMemory { .. } => self.key_in_page_memory.to_string(),
            KeyLocation::Memory => self.key_in_memory.to_string(),
            KeyLocation::File(path) => fill(&self.key_in_file, &[("path", path)]),
            KeyLocation::Keychain { service } => {
                fill(&self.key_in_keychain, &[("service", service)])
            }
            KeyLocation::ServerCookie => self.key_in_server_cookie.to_string(),
            KeyLocation::Described(words) => words.clone(),
        }
    }
}

impl Default for Messages {
    fn default() -> Self {
        Self::english()
    }
}

/// Where a store keeps the key, for [`Messages::key_location`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyLocation {
    /// The browser's localStorage for the site.
    LocalStorage,
    /// The page's memory, as the browser keeps no data for the site (`reason`).
    PageMemory {
        /// Why the browser keeps no data, as it said.
        reason: String,
    },
    /// The app's memory.
    Memory,
    /// A file, by its path.
    File(String),
    /// The system keychain, under a service name.
    Keychain {
        /// The keychain entry's service.
        service: String,
    },
    /// The fullstack server's sealed cookie.
    ServerCookie,
    /// A store of the app's own, in its own words.
    Described(String),
}

/// `template` with each `{name}` replaced by its value. A place the template does not have is
/// left out; a value is put in as it is, never read as a template itself.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) => match values.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => {
                    out.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            },
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The user's language as the platform says it: the browser's first preferred language on the
/// web, `LC_ALL`, `LC_MESSAGES` or `LANG` on the desktop.
pub fn platform_language() -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.navigator().language())
            .filter(|tag| !tag.is_empty())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty() && value != "C" && value != "POSIX")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(template: &str) -> Vec<&str> {
        template
            .match_indices('{')
            .filter_map(|(at, _)| {
                let rest = &template[at + 1..];
                rest.find('}').map(|end| &rest[..end])
            })
            .collect()
    }

    #[test]
    fn chinese_translates_every_message_and_keeps_its_places() {
        let (en, zh) = (Messages::english(), Messages::simplified_chinese());
        for ((name, english), (_, chinese)) in en.entries().into_iter().zip(zh.entries()) {
            assert!(!chinese.trim().is_empty(), "{name} is empty");
            let (mut a, mut b) = (places(english), places(chinese));
            a.sort();
            b.sort();
            assert_eq!(a, b, "{name}: the places differ");
            // A template of places and punctuation alone has no words to translate.
            let words = a.iter().fold(english.to_string(), |text, place| {
                text.replace(&format!("{{{place}}}"), "")
            });
            if !words.chars().any(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            assert_ne!(english, chinese, "{name} is not translated");
            assert!(
                chinese
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{name} has no Chinese: {chinese}"
            );
        }
    }

    #[test]
    fn the_language_tag_picks_the_table() {
        for tag in ["zh", "zh-CN", "zh-Hans-SG", "ZH-tw", "zh_CN.UTF-8"] {
            assert_eq!(Messages::for_language(tag).lang, "zh-Hans", "{tag}");
        }
        for tag in ["en", "en-GB", "de-DE", "", "C", "ar"] {
            assert_eq!(Messages::for_language(tag).lang, "en", "{tag}");
        }
    }

    #[test]
    fn fill_puts_values_where_the_language_wants_them_and_never_reads_them_as_templates() {
        assert_eq!(
            fill("登录超过 {minutes} 分钟", &[("minutes", "10")]),
            "登录超过 10 分钟"
        );
        assert_eq!(
            fill("{detail}. Again?", &[("detail", "a {minutes} b")]),
            "a {minutes} b. Again?"
        );
        assert_eq!(fill("no {place} here {", &[]), "no {place} here {");
        assert_eq!(fill("{a}{b}", &[("a", "1"), ("b", "2")]), "12");
    }

    #[test]
    fn key_locations_in_both_languages() {
        let en = Messages::english();
        let zh = Messages::simplified_chinese();
        let file = KeyLocation::File("/home/u/key".into());
        assert_eq!(
            en.key_location(&file),
            "the file /home/u/key (readable only by you)"
        );
        assert_eq!(zh.key_location(&file), "文件 /home/u/key（仅你可读）");
        let own = KeyLocation::Described("the app's vault".into());
        assert_eq!(zh.key_location(&own), "the app's vault");
    }
}
