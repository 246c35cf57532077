//! `gazette-telegram-sim`: the Bot API simulator as a program, for trying
//! gazette's bot by hand without a real token.
//!
//! ```text
//! gazette-telegram-sim [--port 8081] [--token 123:TEST] [--limits telegram|x10|none]
//! ```
//!
//! Then set `telegram.api_base = "http://127.0.0.1:8081"` and the same token,
//! and drive it with the control routes:
//!
//! ```text
//! curl -XPOST localhost:8081/sim/users -d '{"id": 42, "first_name": "Ada", "language_code": "fr"}'
//! curl -XPOST localhost:8081/sim/updates -d '{"user_id": 42, "text": "/start"}'
//! curl 'localhost:8081/sim/messages?chat_id=42'
//! curl localhost:8081/sim/stats
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;

use gazette_telegram_sim::{SimConfig, SimLimits, Simulator};

const USAGE: &str =
    "usage: gazette-telegram-sim [--port PORT] [--token TOKEN] [--limits telegram|x10|none]";

fn main() -> ExitCode {
    let mut port = 8081u16;
    let mut token = "123456:TEST-token".to_string();
    let mut limits = SimLimits::telegram();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        match (arg.as_str(), value) {
            ("--port", Some(v)) if v.parse::<u16>().is_ok() => port = v.parse().expect("checked"),
            ("--token", Some(v)) => token = v,
            ("--limits", Some(v)) => {
                limits = match v.as_str() {
                    "telegram" => SimLimits::telegram(),
                    "x10" => SimLimits::telegram().scaled(10),
                    "none" => SimLimits::unlimited(),
                    _ => {
                        eprintln!("{USAGE}");
                        return ExitCode::from(2);
                    }
                }
            }
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gazette-telegram-sim: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let mut config = SimConfig::new(&token).limits(limits);
        config.listen = SocketAddr::from(([127, 0, 0, 1], port));
        let sim = match Simulator::start(config).await {
            Ok(sim) => sim,
            Err(e) => {
                eprintln!("gazette-telegram-sim: cannot listen on port {port}: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!(
            "Bot API simulator on {} (limits {limits:?}); Ctrl-C stops it",
            sim.api_base()
        );
        let _ = tokio::signal::ctrl_c().await;
        println!("{:?}", sim.stats());
        ExitCode::SUCCESS
    })
}
