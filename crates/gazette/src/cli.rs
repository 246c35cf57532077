//! The command line (DESIGN.md §6 is the contract: extend it, never rename).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "gazette",
    version,
    about = "A self-hosted news briefing engine: feeds in, morning and evening editions out.",
    after_help = "Start with `gazette demo` (offline), then `gazette init` to write a configuration."
)]
pub struct Cli {
    /// Configuration file (default: ./gazette.toml when it exists).
    #[arg(
        long,
        short,
        global = true,
        env = "GAZETTE_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,
    /// More log output (-v: debug, -vv: trace). GAZETTE_LOG takes a tracing filter.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors in the log output.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Offline demo: serves a bundled news corpus locally, ingests it and prints the morning edition.
    Demo(DemoArgs),
    /// Write a commented example configuration and create the data directory.
    Init(InitArgs),
    /// Manage and inspect feeds.
    #[command(subcommand)]
    Feeds(FeedsCommand),
    /// Poll the feeds that are due, store new entries and articles, group them into stories.
    Ingest(IngestArgs),
    /// Group a JSON-lines stream of articles into stories, in one pass, in input order;
    /// prints one {"id", "story"} line per article (when two stories merge, the
    /// absorbed story's lines again: the last line for an id counts).
    Cluster(ClusterArgs),
    /// List stories with their articles, outlets and languages.
    Stories(StoriesArgs),
    /// Preview or send a channel's edition.
    #[command(subcommand)]
    Edition(EditionCommand),
    /// Run as a daemon: poll feeds, compose editions on schedule, deliver them.
    Run(RunArgs),
    /// Analyse an article (plain text or HTML; `-` reads standard input): language,
    /// sentences, entities, quotes and their speakers, as JSON.
    Analyze {
        #[arg(value_name = "FILE|-")]
        input: String,
    },
    /// Extract the article of HTML pages (files, directories, `.html.gz`, URLs, `-` for
    /// standard input): main text and metadata.
    Extract(ExtractArgs),
    /// Telegram: check the bot's token, run the subscriber bot.
    #[command(subcommand)]
    Telegram(TelegramCommand),
    /// Benchmarks that print figures.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    /// One JSON object for one page; for several pages, an object keyed by page id
    /// (the form `score_extraction.py` reads).
    Json,
    /// One JSON object a line, each with its page `id`.
    Jsonl,
    /// Title and text.
    Text,
    /// Title as a heading, a metadata line, then the text.
    Markdown,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExtractFormat,
    /// Files (`.html`, `.htm`, `.html.gz`), directories (searched recursively for
    /// those), http(s) URLs, or `-` for standard input.
    #[arg(required = true, value_name = "PATH|URL|-")]
    pub inputs: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output format of the edition.
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
    /// Which of the day's editions to print (JSON: one object, or an array of both).
    #[arg(long, value_enum, default_value = "morning")]
    pub edition: DemoEdition,
    /// Keep serving the edition as a web page on 127.0.0.1 until interrupted.
    #[arg(long)]
    pub serve: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoEdition {
    Morning,
    Evening,
    Both,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the configuration.
    #[arg(long, default_value = "gazette.toml", value_name = "FILE")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// Add feeds by URL; a web page is searched for its feeds (<link rel="alternate">).
    Add {
        #[arg(required = true, value_name = "URL")]
        urls: Vec<String>,
    },
    /// Import feeds from an OPML file.
    Import {
        #[arg(value_name = "FILE.opml")]
        file: PathBuf,
    },
    /// Export feeds as OPML (to standard output unless --output is given).
    Export {
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List feeds with their health: last success, last error, next poll.
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
    },
    /// Remove feeds, by URL or by the ID shown in `feeds list`.
    Remove {
        #[arg(required = true, value_name = "URL|ID")]
        feeds: Vec<String>,
    },
    /// Parse feed files or URLs without storing anything; prints JSON.
    Parse {
        #[arg(required = true, value_name = "FILE|URL")]
        inputs: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// One pass over the due feeds, then exit (otherwise poll until interrupted).
    #[arg(long)]
    pub once: bool,
}

#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Articles, one JSON object a line: {"id", "title", "text", "lang"?, "published"?, "source"?}.
    #[arg(long, value_name = "ARTICLES.jsonl")]
    pub input: PathBuf,
    /// Where to write the {"id", "story"} lines (default: standard output).
    #[arg(long, value_name = "OUT.jsonl")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StoriesArgs {
    /// Stories with articles in this period, e.g. 12h, 3d.
    #[arg(long, default_value = "24h")]
    pub since: String,
    /// At most this many stories.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
    /// Show each ranking signal's contribution to the score.
    #[arg(long)]
    pub explain: bool,
    /// Rank as this channel does (its topics and mutes).
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EditionFormat {
    Text,
    Json,
    Telegram,
    Html,
    /// A whole HTML document, as an e-mail body.
    Email,
    /// An Atom 1.0 entry.
    Atom,
}

#[derive(Debug, Subcommand)]
pub enum EditionCommand {
    /// Show what the channel's edition would be, without storing or sending it.
    Preview(EditionArgs),
    /// Compose the edition (once per slot), queue it for the channel's sinks and deliver.
    Send(EditionArgs),
}

#[derive(Debug, Args)]
pub struct EditionArgs {
    /// The channel's name in the configuration.
    pub channel: String,
    /// The edition due at this time: RFC 3339 (2026-11-29T07:30:00+01:00), a local
    /// date-time (2026-11-29T07:30) or a local time today (07:30), in the channel's time zone.
    /// Default: the latest slot.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: EditionFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    All,
    Fetch,
    Deliver,
    Schedule,
    /// The Telegram subscriber bot (when `telegram.bot.mode` is not `off`).
    Bot,
    /// The web server: pages, Atom feeds, the JSON API, admin (`[web]`).
    /// Part of `all` when `web.listen` is set.
    Web,
}

#[derive(Debug, Subcommand)]
pub enum TelegramCommand {
    /// Check the token (getMe) and, with --chat, send a test message there.
    Check {
        /// A chat to send a test message to: @channel, or a numeric chat id.
        #[arg(long, value_name = "CHAT", allow_hyphen_values = true)]
        chat: Option<String>,
    },
    /// Run the subscriber bot alone (long polling or webhook, as configured).
    Bot,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Which work this node does (`all` on a single machine).
    #[arg(long, value_enum, default_value = "all")]
    pub role: Role,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Compose one edition from a synthetic window of many articles and stories; print the time.
    Edition {
        /// Articles in the window.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        /// Stories they form.
        #[arg(long, default_value_t = 20_000)]
        stories: usize,
        /// Compositions timed (the figure is their median).
        #[arg(long, default_value_t = 5)]
        iterations: u32,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
    },
    /// Analyse the articles of JSON-lines files ({"title", "text"} a line) and print
    /// articles/s on one core and peak memory.
    Analyze {
        #[arg(required = true, value_name = "FILE.jsonl")]
        files: Vec<PathBuf>,
        /// Passes over the articles (the figures are for all passes together).
        #[arg(long, default_value_t = 3)]
        iterations: u32,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
    },
    /// Run labelled articles (the shared clustering sets, {"title","text","story","source"?}
    /// a line) laid out in time through storage, grouping and an edition; print the
    /// edition with its signals next to the gold stories, and the times.
    Pipeline {
        #[arg(required = true, value_name = "FILE.jsonl")]
        files: Vec<PathBuf>,
        /// Gold stories start between 2 hours and this many hours before the slot
        /// (the edition looks back 24 hours).
        #[arg(long, default_value_t = 48, value_name = "HOURS")]
        span_hours: u32,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
    },
    /// Stream the articles of JSON-lines files (the `gazette cluster` input), replayed
    /// with shifted times and fresh IDs, through duplicate detection and clustering;
    /// print articles/s on one core and peak memory at each checkpoint.
    Cluster {
        #[arg(required = true, value_name = "FILE.jsonl")]
        files: Vec<PathBuf>,
        /// Checkpoints, in articles; the stream stops at the last.
        #[arg(long, value_delimiter = ',', default_value = "50000,100000,200000")]
        at: Vec<usize>,
        /// The stories' time window.
        #[arg(long, default_value = "72h")]
        window: String,
        /// How much later each replay pass is (default: the window plus an hour).
        #[arg(long)]
        shift: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
    },
    /// Extract the article of every page under the directories (`.html`, `.htm`,
    /// `.html.gz`) and print pages/s on one core, MB/s and peak memory.
    Extract {
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Passes over the pages (the figures are for all passes together).
        #[arg(long, default_value_t = 3)]
        iterations: u32,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
    },
    /// Parse every feed file under DIR and print feeds/s and MB/s.
    Feeds {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Passes over the files (the figures are for all passes together).
        #[arg(long, default_value_t = 5)]
        iterations: u32,
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
    },
}
