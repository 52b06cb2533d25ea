//! The language of the library's words, chosen in the gallery and remembered like the theme: the
//! library's English and Simplified Chinese, the browser's or system's language, and Arabic, a
//! table this app supplies, written right to left. `?lang=zh` (web) or
//! `OPENROUTER_GALLERY_LANG=zh` (desktop) overrides the remembered choice, which is how the
//! screenshots pick one.

use dioxus::prelude::*;
use openrouter_signin::{use_openrouter_auth, Messages};

use super::prefs;

/// The choices: the name the switch and the preference use, the words, and their language.
const CHOICES: [(&str, &str, &str); 4] = [
    ("auto", "Auto", "en"),
    ("en", "English", "en"),
    ("zh", "中文", "zh-Hans"),
    ("ar", "العربية", "ar"),
];

/// The words for a choice; `None` to follow the browser or the system.
pub fn words(choice: &str) -> Option<Messages> {
    match choice {
        "en" => Some(Messages::english()),
        "zh" => Some(Messages::simplified_chinese()),
        "ar" => Some(arabic()),
        _ => None,
    }
}

/// The choice this run starts with: the override, else the remembered one, else "auto".
pub fn initial() -> String {
    requested()
        .or_else(|| prefs::remembered("language"))
        .filter(|choice| CHOICES.iter().any(|(name, ..)| name == choice))
        .unwrap_or_else(|| "auto".to_owned())
}

/// `?lang=` on the web, `OPENROUTER_GALLERY_LANG` on the desktop.
fn requested() -> Option<String> {
    prefs::query_value("lang").or_else(|| std::env::var("OPENROUTER_GALLERY_LANG").ok())
}

/// The language switch: applies the choice to every word the library shows, at once.
#[component]
pub fn LanguageSwitch() -> Element {
    let auth = use_openrouter_auth();
    let mut choice = use_signal(|| {
        if cfg!(feature = "fullstack") {
            "auto".to_owned()
        } else {
            initial()
        }
    });
    // The fullstack server renders English; the page applies the remembered choice once it runs.
    #[cfg(feature = "fullstack")]
    use_effect(move || {
        let chosen = initial();
        if let Some(messages) = words(&chosen) {
            auth.set_messages(messages);
        }
        choice.set(chosen);
    });
    // Buttons, not a `select`: in Chromium the page's first `select` held up the sign-in
    // button's navigation by about 30 ms (time to a working sign-in, 9 loads each).
    rsx! {
        div {
            id: "language",
            role: "group",
            "aria-label": "Language",
            class: "flex items-center rounded-full border border-neutral-300 p-0.5 text-sm dark:border-neutral-700",
            for (name, title, lang) in CHOICES {
                button {
                    r#type: "button",
                    "data-lang": name,
                    lang,
                    "aria-pressed": if choice() == name { "true" } else { "false" },
                    class: "rounded-full px-2.5 py-0.5 aria-pressed:bg-neutral-900 aria-pressed:text-white dark:aria-pressed:bg-white dark:aria-pressed:text-neutral-900 hover:bg-neutral-100 dark:hover:bg-neutral-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-500",
                    onclick: move |_| {
                        let chosen = name.to_owned();
                        let messages = words(&chosen).unwrap_or_else(Messages::for_platform);
                        auth.set_messages(messages);
                        prefs::remember("language", &chosen);
                        choice.set(chosen);
                    },
                    "{title}"
                }
            }
        }
    }
}

/// Arabic, supplied by this app (the library ships English and Chinese): every message, with
/// the same places for values.
fn arabic() -> Messages {
    let mut m = Messages::english();
    m.lang = "ar".into();
    m.right_to_left = true;
    // Short, as the English is: a longer phrase ("تسجيل الدخول باستخدام") made the LG and XL
    // buttons wider than a phone's cell (the layout test's Arabic pass found it).
    m.sign_in = "الدخول عبر OpenRouter".into();
    m.key_kept_in = "يُحفظ المفتاح في {location}.".into();
    m.key_in_local_storage = "التخزين المحلي (localStorage) لهذا الموقع في هذا المتصفح".into();
    m.key_in_page_memory = "ذاكرة هذه الصفحة فقط".into();
    m.key_in_memory = "الذاكرة فقط (يُنسى عند إغلاق التطبيق)".into();
    m.key_in_file = "الملف {path} (لا يقرؤه أحد سواك)".into();
    m.key_in_keychain = "سلسلة مفاتيح النظام (الخدمة {service})".into();
    m.key_in_server_cookie = "ملف تعريف ارتباط HttpOnly مختوم لا يقرؤه إلا خادم التطبيق".into();
    m.not_remembered_by_browser = "لا يسمح هذا المتصفح لهذا الموقع بحفظ البيانات ({detail})، لذلك لن يُحفظ المفتاح بعد إغلاق هذه الصفحة.".into();
    m.store_unavailable = "{detail}. يمكنك تسجيل الدخول، لكن المفتاح لن يُحفظ.".into();
    m.signed_in_not_saved = "{detail}. سجّلت الدخول، لكن المفتاح لن يُحفظ.".into();
    m.could_not_start = "تعذّر بدء تسجيل الدخول: {detail}".into();
    m.cancelled = "أُلغي تسجيل الدخول على OpenRouter. اضغط تسجيل الدخول للمحاولة مجددًا.".into();
    m.cancelled_because =
        "أُلغي تسجيل الدخول على OpenRouter: {detail}. اضغط تسجيل الدخول للمحاولة مجددًا.".into();
    m.state_mismatch = "لم يحمل الرجوع من تسجيل الدخول الحالة التي أرسلها التطبيق، فتم تجاهله. اضغط تسجيل الدخول للبدء من جديد.".into();
    m.state_missing =
        "لم يحمل الرجوع من تسجيل الدخول أي حالة، فتم تجاهله. اضغط تسجيل الدخول للبدء من جديد."
            .into();
    m.expired = "استغرق تسجيل الدخول أكثر من {minutes} دقائق وانتهت صلاحيته. اضغط تسجيل الدخول للبدء من جديد.".into();
    m.started_elsewhere = "بدأ تسجيل الدخول هذا في علامة تبويب أو نافذة أخرى (أو مُسح تخزين هذه العلامة)، فلا يمكن إكماله هنا. اضغط تسجيل الدخول للبدء من جديد.".into();
    m.nothing_pending = "لا يوجد تسجيل دخول ينتظر رمزًا هنا. اضغط تسجيل الدخول أولًا، ثم الصق الرمز الذي يعرضه OpenRouter.".into();
    m.unreadable_return =
        "تعذّرت قراءة الرجوع من تسجيل الدخول ({detail}). اضغط تسجيل الدخول للبدء من جديد.".into();
    m.no_key = "لم يمنح OpenRouter مفتاحًا: {detail}. اضغط تسجيل الدخول للمحاولة مجددًا.".into();
    m.code_expired =
        "يقول OpenRouter إن رمز تسجيل الدخول انتهت صلاحيته. اضغط تسجيل الدخول للمحاولة مجددًا."
            .into();
    m.storage_failed = "تعذّر حفظ المفتاح: {detail}".into();
    m.misconfigured = "عنوان OpenRouter في إعدادات التطبيق غير صالح: {detail}".into();
    m.browser_did_not_return = "{detail}. اضغط تسجيل الدخول للمحاولة مجددًا.".into();
    m.api_refused = "رفض OpenRouter الطلب ({status}): {message}".into();
    m.code_too_old = "مضى على رمز التفويض أكثر من {minutes} دقائق وانتهت صلاحيته".into();
    m.http_status = "أجاب OpenRouter برمز HTTP {status} دون رسالة خطأ".into();
    m.rate_limited = "يحدّ OpenRouter من معدل طلبات هذا المفتاح".into();
    m.rate_limited_retry =
        "يحدّ OpenRouter من معدل طلبات هذا المفتاح؛ حاول مجددًا بعد {seconds} ث".into();
    m.redirected = "أجاب OpenRouter بإعادة توجيه (HTTP {status}) لا تُتّبع".into();
    m.not_understood = "لم تُفهم إجابة OpenRouter: {detail}".into();
    m.too_large = "إجابة OpenRouter أكبر من {limit} بايت".into();
    m.timeout_seconds = "لم يُجب OpenRouter خلال {seconds} ث".into();
    m.timeout_millis = "لم يُجب OpenRouter خلال {millis} مللي ثانية".into();
    m.unreachable = "تعذّر الوصول إلى OpenRouter على {url}: {detail}".into();
    m.return_too_long = "طول عنوان الرجوع {length} بايت؛ لا يُقرأ أكثر من {limit}".into();
    m.param_repeated = "المعامل `{param}` مكرر أكثر من مرة".into();
    m.param_too_long = "طول المعامل `{param}` هو {length} بايت؛ الحد الأقصى {limit}".into();
    m.param_bad_encoding = "ترميز النسبة المئوية للمعامل `{param}` غير صالح".into();
    m.param_not_utf8 = "المعامل `{param}` ليس UTF-8 صالحًا".into();
    m.param_empty = "المعامل `{param}` فارغ".into();
    m.param_bad_characters = "المعامل `{param}` يحوي مسافات أو محارف تحكم".into();
    m.code_and_error = "يحمل الرجوع رمزًا وخطأً معًا".into();
    m.state_only = "يحمل الرجوع حالة دون رمز أو خطأ".into();
    m.listen_failed = "تعذّر الاستماع على 127.0.0.1 لرجوع المتصفح: {detail}".into();
    m.browser_timed_out = "لم يرجع المتصفح خلال {minutes} دقائق؛ أُوقف تسجيل الدخول".into();
    m.wait_cancelled = "أُلغي تسجيل الدخول".into();
    m.storage_unavailable = "{place} غير متاح: {reason}".into();
    m.storage_refused = "رفض {place} الحفظ: {reason}".into();
    m.storage_corrupt = "يحوي {place} شيئًا ليس {expected} صالحًا؛ تُرك كما هو".into();
    m.io_read = "تعذّرت قراءة {path}: {reason}".into();
    m.io_write = "تعذّرت كتابة {path}: {reason}".into();
    m.io_create = "تعذّر إنشاء {path}: {reason}".into();
    m.io_remove = "تعذّر حذف {path}: {reason}".into();
    m.place_keychain = "سلسلة مفاتيح النظام".into();
    m.place_keychain_entry = "مدخل سلسلة مفاتيح النظام".into();
    m.place_config_dir = "مجلد الإعدادات".into();
    m.place_random = "الأرقام العشوائية الآمنة".into();
    m.place_page = "الصفحة".into();
    m.place_page_address = "عنوان الصفحة".into();
    m.place_navigation = "التنقل".into();
    m.place_app_server = "خادم التطبيق".into();
    m.expected_key = "مفتاح OpenRouter".into();
    m.expected_verifier = "مُحقِّق PKCE".into();
    m.expected_state = "قيمة الحالة".into();
    m.no_random = "لا تتوفر أرقام عشوائية آمنة: {detail}".into();
    m.no_sha256 = "لا تستطيع هذه الصفحة حساب SHA-256 ({detail})؛ تتيحه المتصفحات فقط للصفحات المقدّمة عبر https أو من localhost".into();
    m.no_listener = "{detail}. وافق في متصفح والصق الرمز أدناه.".into();
    m.no_browser = "تعذّر فتح متصفح ({detail}). افتح الرابط أدناه بنفسك.".into();
    m.cancelled_here = "أُلغي تسجيل الدخول؛ لم يتغير شيء.".into();
    m.server_nothing_pending = "لا يوجد تسجيل دخول منتظر في هذا المتصفح (بدأ في متصفح آخر، أو ملفات تعريف الارتباط محظورة أو ممسوحة). اضغط تسجيل الدخول للبدء من جديد.".into();
    m.server_pending_refused = "تعذّر إكمال تسجيل الدخول: ملف تعريف الارتباط الخاص به معدّل أو من خادم آخر. اضغط تسجيل الدخول للبدء من جديد.".into();
    m.server_misconfigured = "إعدادات تسجيل الدخول في الخادم ناقصة (عنوان OpenRouter أو الأصل العام)؛ سجل الخادم يذكر أيهما. لن يعمل تسجيل الدخول حتى يُصلح ذلك.".into();
    m.server_unreadable_return =
        "تعذّرت قراءة الرجوع من تسجيل الدخول. اضغط تسجيل الدخول للبدء من جديد.".into();
    m.server_no_key = "لم يمنح OpenRouter مفتاحًا. اضغط تسجيل الدخول للمحاولة مجددًا.".into();
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_but_auto_has_its_own_words_and_arabic_reads_right_to_left() {
        assert!(words("auto").is_none());
        assert_eq!(words("zh").unwrap().lang, "zh-Hans");
        let ar = words("ar").unwrap();
        assert!(ar.right_to_left);
        for ((name, english), (_, arabic)) in
            Messages::english().entries().into_iter().zip(ar.entries())
        {
            let places = |text: &str| text.matches('{').count();
            assert_eq!(places(english), places(arabic), "{name}: the places differ");
            // A template of places and punctuation alone ("{text} ({message})") stays as it is.
            if name != "with_openrouter_message" {
                assert_ne!(english, arabic, "{name} is not translated");
            }
        }
    }
}
