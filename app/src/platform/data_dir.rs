//! Where the app keeps its ledger: `$CHECKPOINT_LEDGER` when set, else the app's private data
//! directory — on Android `Context.getFilesDir()` (read once through the JVM), on iOS
//! `Application Support` inside the sandbox, on desktop the platform data directory
//! (`~/.local/share/checkpoint` on Linux) — and only when none is known the working directory.

use std::path::PathBuf;

/// The environment variable that names the ledger file (tests, a second gate on one laptop).
pub const LEDGER_ENV: &str = "CHECKPOINT_LEDGER";
/// The ledger's file name inside the data directory.
const LEDGER_FILE: &str = "ledger.db";
/// The last resort, in the working directory.
const FALLBACK: &str = "checkpoint-ledger.db";

/// The ledger's path on this device.
pub fn ledger_path() -> PathBuf {
    choose(
        std::env::var_os(LEDGER_ENV).map(PathBuf::from),
        platform_dir(),
    )
}

/// The rule, apart from the environment so every branch can be tested anywhere: an override
/// wins, then the platform's data directory, then the working directory.
pub fn choose(override_path: Option<PathBuf>, platform: Option<PathBuf>) -> PathBuf {
    match (override_path, platform) {
        (Some(path), _) if !path.as_os_str().is_empty() => path,
        (_, Some(dir)) => dir.join(LEDGER_FILE),
        _ => PathBuf::from(FALLBACK),
    }
}

/// Android: the app's files directory (private, kept until the app is uninstalled).
#[cfg(target_os = "android")]
fn platform_dir() -> Option<PathBuf> {
    android::files_dir()
}

/// iOS: `Library/Application Support` inside the app's sandbox (backed up, not shown to the user).
#[cfg(target_os = "ios")]
fn platform_dir() -> Option<PathBuf> {
    dirs::data_dir()
}

/// Desktop: the platform data directory, in a folder of our own.
#[cfg(not(any(target_os = "android", target_os = "ios")))]
fn platform_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("checkpoint"))
}

#[cfg(target_os = "android")]
mod android {
    //! `Context.getFilesDir().getAbsolutePath()` through the JVM that `ndk-context` holds for the
    //! activity (the pattern of Dioxus's asset resolver), read once.

    use std::path::PathBuf;
    use std::sync::OnceLock;

    use jni::objects::{JObject, JString};
    use jni::JavaVM;

    static FILES_DIR: OnceLock<Option<PathBuf>> = OnceLock::new();

    pub fn files_dir() -> Option<PathBuf> {
        FILES_DIR
            .get_or_init(|| match read() {
                Ok(dir) => Some(dir),
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the app's files directory");
                    None
                }
            })
            .clone()
    }

    #[allow(unsafe_code)] // the JVM and context pointers ndk-context holds for the running activity
    fn read() -> jni::errors::Result<PathBuf> {
        let ctx = ndk_context::android_context();
        // SAFETY: ndk-context gives the process's JavaVM and the activity's Context, both valid
        // for the life of the app.
        let vm = unsafe { JavaVM::from_raw(ctx.vm().cast()) }?;
        let mut env = vm.attach_current_thread()?;
        let context = unsafe { JObject::from_raw(ctx.context().cast()) };
        let dir = env
            .call_method(&context, "getFilesDir", "()Ljava/io/File;", &[])?
            .l()?;
        let path = env
            .call_method(&dir, "getAbsolutePath", "()Ljava/lang/String;", &[])?
            .l()?;
        let path: String = env.get_string(&JString::from(path))?.into();
        Ok(PathBuf::from(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_wins() {
        let chosen = choose(Some("/tmp/gate.db".into()), Some("/data/app".into()));
        assert_eq!(chosen, PathBuf::from("/tmp/gate.db"));
    }

    #[test]
    fn an_empty_override_is_no_override() {
        let chosen = choose(Some(PathBuf::new()), Some("/data/app/files".into()));
        assert_eq!(chosen, PathBuf::from("/data/app/files/ledger.db"));
    }

    #[test]
    fn the_platform_directory_holds_the_ledger() {
        let android = "/data/user/0/cn.district.checkpoint/files";
        assert_eq!(
            choose(None, Some(android.into())),
            PathBuf::from(android).join("ledger.db")
        );
    }

    #[test]
    fn the_working_directory_is_the_last_resort() {
        assert_eq!(choose(None, None), PathBuf::from("checkpoint-ledger.db"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_the_ledger_is_under_the_user_data_directory() {
        let dir = platform_dir().expect("a data directory for the test user");
        assert!(dir.ends_with("checkpoint"), "{}", dir.display());
        assert_eq!(dirs::data_dir().map(|d| d.join("checkpoint")), Some(dir));
    }
}
