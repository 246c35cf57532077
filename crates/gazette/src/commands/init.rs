//! `gazette init`: a commented example configuration and the data directory.

use anyhow::Context;

use crate::cli::InitArgs;
use crate::config::EXAMPLE;
use crate::usage;

pub fn run(args: InitArgs) -> anyhow::Result<()> {
    if args.path.exists() && !args.force {
        return Err(usage!(
            "{} already exists; use --force to overwrite it",
            args.path.display()
        ));
    }
    // Validate what we write, so `init` never produces a file the next command rejects.
    let raw: gazette_core::config::RawConfig =
        toml::from_str(EXAMPLE).context("the built-in example configuration does not parse")?;
    let config = raw
        .validate()
        .context("the built-in example configuration is invalid")?;
    std::fs::write(&args.path, EXAMPLE)
        .with_context(|| format!("cannot write {}", args.path.display()))?;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    println!(
        "wrote {} and created {}\nnext: `gazette feeds add URL` or `gazette feeds import FILE.opml`, then `gazette ingest --once`",
        args.path.display(),
        config.data_dir.display()
    );
    Ok(())
}
