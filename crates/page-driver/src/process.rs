//! Child processes that cannot outlive the test process that started them.
//!
//! A test fixture held in a `static` is never dropped, so a `Drop` that kills its servers never
//! runs: they would keep running after `cargo test` ends. Here the kernel ends them instead
//! (`PR_SET_PDEATHSIG`), when the thread that spawned them ends. That thread is one that lives
//! as long as the process, so a child started by one test is not ended when that test's thread
//! finishes; it ends with the test binary, however the binary ends (a panic, a signal).

use std::io;
use std::path::Path;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

type Job = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawns `command` so that the kernel kills it (SIGKILL) when this process ends. Drop or kill
/// the returned child as usual to end it sooner.
pub fn spawn_tied(command: Command) -> io::Result<Child> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (jobs, queue) = mpsc::channel::<Job>();
        // Lives until the process exits: the children's "parent" in the kernel's eyes.
        std::thread::spawn(move || {
            for (mut command, reply) in queue {
                let _ = reply.send(spawn_with_death_signal(&mut command));
            }
            // The queue's sender lives in a static and is never dropped; park in any case.
            loop {
                std::thread::park();
            }
        });
        Mutex::new(jobs)
    });
    let (reply, answer) = mpsc::channel();
    spawner
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .send((command, reply))
        .map_err(|_| io::Error::other("the spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| io::Error::other("the spawner thread is gone"))?
}

fn spawn_with_death_signal(command: &mut Command) -> io::Result<Child> {
    use std::os::unix::process::CommandExt as _;
    let parent = std::process::id();
    // SAFETY: the closure runs in the child between fork and exec and calls only
    // async-signal-safe functions (prctl, getppid, _exit).
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() as u32 != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    command.spawn()
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port on 127.0.0.1")
}

/// 32 random bytes in hex: a cookie secret for servers under test.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the system's randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Waits up to `within` until something accepts connections on 127.0.0.1:`port`; panics when
/// `process` exits first (with `log`'s text, when there is one) or the time runs out.
pub fn wait_listening(
    port: u16,
    process: &mut Child,
    what: &str,
    log: Option<&Path>,
    within: Duration,
) {
    let deadline = Instant::now() + within;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = process.try_wait() {
            let output = log.and_then(|log| std::fs::read_to_string(log).ok());
            panic!("{what} exited ({status}): {}", output.unwrap_or_default());
        }
        assert!(Instant::now() < deadline, "{what} never listened on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
