//! `openrouter-mock`: runs the mock OpenRouter server until Ctrl-C.
//!
//! Prints exactly one line, `openrouter-mock listening on http://HOST:PORT`, so that
//! scripts can wait for it. Never prints keys or codes.

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use openrouter_mock::{ConsentMode, MockServer};

const DEFAULT_ADDR: &str = "127.0.0.1:8787";

const USAGE: &str = "\
Usage: openrouter-mock [--addr 127.0.0.1:8787] [--consent ask|approve|deny]

A local mock of OpenRouter's OAuth PKCE, key, model list, chat completion and generation
endpoints.

Options:
  --addr ADDR        loopback address to listen on (default 127.0.0.1:8787, env MOCK_ADDR);
                     port 0 picks a free port
  --consent MODE     ask (show the consent page), approve or deny (answer at once)
  -h, --help         show this help

Endpoints:
  GET  /auth?callback_url=..|key_label=..&code_challenge=..&code_challenge_method=S256
            [&state=..][&limit=5.00]  (limit: the key's credit limit in US dollars)
  POST /api/v1/auth/keys          (code exchange)
  GET  /api/v1/key                (Bearer key: label, usage, limit, limit_remaining)
  GET  /api/v1/models             (the public model list, no key needed)
  GET  /api/v1/models/user        (Bearer key: the models that key may use)
  POST /api/v1/chat/completions   (Bearer key: an echo model, streamed or not)
  GET  /api/v1/generation?id=ID   (Bearer key that made it: a chat's tokens and cost)

Control endpoints:
  POST /__mock/consent?mode=ask|approve|deny
  POST /__mock/fail?kind=status&status=500 | notjson | delay&ms=N | emptykey | notakey
                    | huge&bytes=N | drop | endless
  POST /__mock/chat-fail?kind=status&status=402 | ratelimit&secs=N | errormid&after=N
                    | dropmid&after=N | slow&ms=N
  POST /__mock/chat-delay?ms=N
  POST /__mock/chat-size?bytes=N  (every answer N bytes long; 0 for the plain echo)
  POST /__mock/age-codes?secs=N   (600 expires every outstanding code)
  POST /__mock/generation-lag?times=N (each generation answers 404 to its first N lookups)
  GET  /__mock/stats
";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
enum Command {
    Run {
        addr: SocketAddr,
        consent: ConsentMode,
    },
    Help,
}

fn main() -> ExitCode {
    let env_addr = std::env::var("MOCK_ADDR").ok();
    match parse_args(std::env::args().skip(1), env_addr) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Run { addr, consent }) => run(addr, consent),
        Err(message) => {
            eprintln!("openrouter-mock: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn parse_args(
    args: impl IntoIterator<Item = String>,
    env_addr: Option<String>,
) -> Result<Command, String> {
    let mut addr_text = env_addr.filter(|addr| !addr.is_empty());
    let mut consent = ConsentMode::Ask;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--addr" => addr_text = Some(value()?),
            "--consent" => consent = value()?.parse().map_err(|e| format!("--consent: {e}"))?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let addr = parse_addr(addr_text.as_deref().unwrap_or(DEFAULT_ADDR))?;
    Ok(Command::Run { addr, consent })
}

/// Parses `IP:PORT`, also accepting `localhost:PORT`; refuses non-loopback addresses.
fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    let parsed = match text.strip_prefix("localhost:") {
        Some(port) => port
            .parse::<u16>()
            .ok()
            .map(|port| SocketAddr::from((Ipv4Addr::LOCALHOST, port))),
        None => text.parse::<SocketAddr>().ok(),
    };
    let addr = parsed.ok_or_else(|| {
        format!("invalid address {text:?}: expected IP:PORT such as {DEFAULT_ADDR}")
    })?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on {addr}: the mock hands out keys to anyone, so it only binds \
             to loopback addresses such as 127.0.0.1"
        ));
    }
    Ok(addr)
}

fn run(addr: SocketAddr, consent: ConsentMode) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("openrouter-mock: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(addr, consent))
}

async fn serve(addr: SocketAddr, consent: ConsentMode) -> ExitCode {
    let server = match MockServer::start_on(addr).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("openrouter-mock: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    server.set_consent(consent);
    println!("openrouter-mock listening on {}", server.base_url());
    // Scripts block on this line, and stdout is block-buffered when piped.
    if std::io::stdout().flush().is_err() {
        eprintln!("openrouter-mock: stdout is closed");
    }
    let signal = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    match signal {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("openrouter-mock: cannot wait for Ctrl-C: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], env: Option<&str>) -> Result<Command, String> {
        parse_args(args.iter().map(|s| s.to_string()), env.map(str::to_owned))
    }

    fn run_cmd(addr: &str, consent: ConsentMode) -> Command {
        Command::Run {
            addr: addr.parse().expect("test address"),
            consent,
        }
    }

    #[test]
    fn defaults() {
        assert_eq!(
            parse(&[], None),
            Ok(run_cmd(DEFAULT_ADDR, ConsentMode::Ask))
        );
    }

    #[test]
    fn flags_env_and_precedence() {
        assert_eq!(
            parse(
                &["--addr", "127.0.0.1:9000", "--consent=approve"],
                Some("127.0.0.1:1")
            ),
            Ok(run_cmd("127.0.0.1:9000", ConsentMode::AutoApprove))
        );
        assert_eq!(
            parse(&["--consent", "deny"], Some("127.0.0.1:1")),
            Ok(run_cmd("127.0.0.1:1", ConsentMode::AutoDeny))
        );
        assert_eq!(
            parse(&["--addr=localhost:0"], None),
            Ok(run_cmd("127.0.0.1:0", ConsentMode::Ask))
        );
        assert_eq!(
            parse(&["--addr", "[::1]:80"], None),
            Ok(run_cmd("[::1]:80", ConsentMode::Ask))
        );
        assert_eq!(parse(&["-h"], None), Ok(Command::Help));
    }

    #[test]
    fn usage_names_every_endpoint() {
        for path in [
            "/auth?",
            "&limit=",
            "/api/v1/auth/keys",
            "/api/v1/key",
            "/api/v1/models",
            "/api/v1/models/user",
            "/api/v1/chat/completions",
            "/api/v1/generation?id=",
            "/__mock/generation-lag?times=N",
            "/__mock/stats",
        ] {
            assert!(USAGE.contains(path), "{path}");
        }
    }

    #[test]
    fn bad_arguments() {
        for args in [
            &["--addr"][..],
            &["--addr", "nonsense"],
            &["--addr", "0.0.0.0:8787"],
            &["--addr", "192.168.1.2:80"],
            &["--consent", "maybe"],
            &["--port", "1"],
            &["extra"],
        ] {
            assert!(parse(args, None).is_err(), "{args:?}");
        }
    }
}
