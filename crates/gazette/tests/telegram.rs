//! Telegram with the real binary: `gazette telegram check` against the Bot API
//! simulator, and the bot role's usage errors. Delivery killed (SIGKILL) and
//! restarted is in `crash_sqlite.rs`.

use std::path::Path;
use std::process::{Command, Stdio};

use gazette_telegram_sim::{SimConfig, Simulator};

const TOKEN: &str = "5151:KILL-test_token";

/// `gazette` with this configuration and nothing from the caller's environment.
fn gazette(config: &Path, log: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("gazette"));
    for (name, _) in std::env::vars() {
        if name.starts_with("GAZETTE_") {
            cmd.env_remove(name);
        }
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    cmd.arg("--config")
        .arg(config)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(log);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_check_says_who_the_bot_is_and_sends_a_test_message() {
    let sim = Simulator::start(SimConfig::new(TOKEN)).await.unwrap();
    sim.add_channel(-1_001_234_567_890, "gazette_news", "Gazette");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gazette.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\n[telegram]\ntoken = \"{TOKEN}\"\napi_base = \"{}\"\n",
            dir.path().join("data").display(),
            sim.api_base()
        ),
    )
    .unwrap();
    let log = dir.path().join("log");
    let out = tokio::task::spawn_blocking({
        let (config, log) = (config.clone(), log.clone());
        move || {
            gazette(&config, &log)
                .stdout(Stdio::piped())
                .args(["telegram", "check", "--chat", "@gazette_news"])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        std::fs::read_to_string(&log).unwrap()
    );
    assert!(
        stdout.contains("token OK: bot @gazette_test_bot (id 5151)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("test message sent to @gazette_news (chat -1001234567890, message 1)"),
        "{stdout}"
    );
    assert_eq!(sim.messages_to(-1_001_234_567_890).len(), 1);

    // A chat that does not exist: exit 1, Telegram's words, no token.
    let out = tokio::task::spawn_blocking(move || {
        gazette(&config, &log)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .args(["telegram", "check", "--chat", "-100999"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("chat not found"), "{stderr}");
    assert!(!stderr.contains("KILL-test_token"), "{stderr}");
}

#[test]
fn the_bot_role_without_a_bot_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gazette.toml");
    std::fs::write(
        &config,
        format!("data_dir = \"{}\"\n", dir.path().join("data").display()),
    )
    .unwrap();
    let log = dir.path().join("log");
    let out = gazette(&config, &log)
        .stderr(Stdio::piped())
        .args(["run", "--role", "bot"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("telegram.bot.mode"), "{stderr}");
    let out = gazette(&config, &log)
        .stderr(Stdio::piped())
        .args(["telegram", "check"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "no token: {stderr}");
    assert!(stderr.contains("GAZETTE_TELEGRAM__TOKEN"), "{stderr}");
}
