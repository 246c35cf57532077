//! The HTTP side: `/bot<token>/<method>` and the control routes under `/sim/`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::html::{self, Entity};
use crate::limits::LimitScope;
use crate::spec::Spec;
use crate::{Chat, SentMessage, Shared, Standing, Webhook, unix_now};

/// Telegram's message limit, in UTF-16 units after entity parsing.
const MESSAGE_LIMIT: usize = 4096;
/// Telegram's caption limit.
const CAPTION_LIMIT: usize = 1024;
/// The longest `getUpdates` wait honoured.
const MAX_POLL: Duration = Duration::from_secs(50);

type SharedState = Arc<Shared>;

pub(crate) fn router(shared: SharedState) -> Router {
    Router::new()
        .route("/sim/users", post(control_add_user))
        .route("/sim/updates", post(control_send_text))
        .route("/sim/messages", get(control_messages))
        .route("/sim/stats", get(control_stats))
        .route("/{bot_token}/{method}", get(api).post(api))
        .with_state(shared)
}

/// An error answer, as Telegram writes them.
struct ApiError {
    code: u16,
    description: String,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(code: u16, description: impl Into<String>) -> ApiError {
        ApiError {
            code,
            description: description.into(),
            retry_after: None,
        }
    }

    fn bad_request(what: impl std::fmt::Display) -> ApiError {
        ApiError::new(400, format!("Bad Request: {what}"))
    }
}

fn answer(code: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn api(
    State(shared): State<SharedState>,
    Path((bot_token, method)): Path<(String, String)>,
    Query(query): Query<Map<String, Value>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.lock().stats.requests += 1;
    let authorised = bot_token
        .strip_prefix("bot")
        .is_some_and(|t| t == shared.lock().config.token);
    if !authorised {
        return failure(&shared, ApiError::new(401, "Unauthorized"));
    }
    let params = match read_params(query, &headers, &body) {
        Ok(p) => p,
        Err(e) => return failure(&shared, e),
    };
    let spec = Spec::bundled();
    let Some(method) = spec
        .methods
        .keys()
        .find(|m| m.eq_ignore_ascii_case(&method))
        .cloned()
    else {
        return failure(&shared, ApiError::new(404, "Not Found"));
    };
    let problems = spec.check_params(&method, &Value::Object(params.clone()));
    shared.lock().violations.extend(problems);
    let result = match method.as_str() {
        "getMe" => Ok(get_me(&shared)),
        "sendMessage" => send(&shared, &params, false).await,
        "sendPhoto" => send(&shared, &params, true).await,
        "getUpdates" => get_updates(&shared, &params).await,
        "setWebhook" => set_webhook(&shared, &params),
        "deleteWebhook" => delete_webhook(&shared, &params),
        "setMyCommands" => set_my_commands(&shared, &params),
        other => Err(ApiError::new(
            404,
            format!("Not Found: {other} is not simulated"),
        )),
    };
    match result {
        Ok(result) => {
            let problems = spec.check_result(&method, &result);
            shared.lock().violations.extend(problems);
            answer(200, json!({"ok": true, "result": result}))
        }
        Err(e) => failure(&shared, e),
    }
}

fn failure(shared: &Shared, e: ApiError) -> Response {
    let mut body = json!({"ok": false, "error_code": e.code, "description": e.description});
    {
        let mut state = shared.lock();
        if e.code != 429 {
            state.stats.errors += 1;
        }
        if let Some(retry_after) = e.retry_after {
            body["parameters"] = json!({"retry_after": retry_after});
            let problems = Spec::bundled().check_type("ResponseParameters", &body["parameters"]);
            state.violations.extend(problems);
        }
    }
    answer(e.code, body)
}

/// Query-string parameters, overridden by a JSON body's.
fn read_params(
    mut params: Map<String, Value>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, ApiError> {
    // Query values arrive as strings; numbers and booleans are read as Telegram reads them.
    for value in params.values_mut() {
        if let Some(text) = value.as_str()
            && let Ok(parsed @ (Value::Number(_) | Value::Bool(_) | Value::Array(_))) =
                serde_json::from_str::<Value>(text)
        {
            *value = parsed;
        }
    }
    if body.is_empty() {
        return Ok(params);
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !is_json {
        return Err(ApiError::bad_request(
            "the simulator reads JSON bodies only (Content-Type: application/json)",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => {
            params.extend(map);
            Ok(params)
        }
        _ => Err(ApiError::bad_request("request body is not a JSON object")),
    }
}

fn get_me(shared: &Shared) -> Value {
    let state = shared.lock();
    json!({
        "id": state.config.bot_id,
        "is_bot": true,
        "first_name": "gazette",
        "username": state.config.bot_username,
        "can_join_groups": true,
        "can_read_all_group_messages": false,
        "supports_inline_queries": false,
    })
}

fn resolve_chat(shared: &Shared, chat_id: Option<&Value>) -> Result<Chat, ApiError> {
    let state = shared.lock();
    let id = match chat_id {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => match s.strip_prefix('@') {
            Some(name) => state.usernames.get(&name.to_ascii_lowercase()).copied(),
            None => s.parse().ok(),
        },
        _ => return Err(ApiError::bad_request("chat_id is empty")),
    };
    let chat = id
        .and_then(|id| state.chats.get(&id))
        .ok_or_else(|| ApiError::bad_request("chat not found"))?;
    match chat.standing {
        Standing::Ok => Ok(chat.clone()),
        Standing::Blocked => Err(ApiError::new(403, "Forbidden: bot was blocked by the user")),
        Standing::Deactivated => Err(ApiError::new(403, "Forbidden: user is deactivated")),
        Standing::Kicked => Err(ApiError::new(
            403,
            "Forbidden: bot was kicked from the group chat",
        )),
    }
}

/// The text or caption as the reader sees it, with its entities.
fn formatted(
    raw: &str,
    parse_mode: Option<&str>,
    limit: usize,
    caption: bool,
) -> Result<(String, Vec<Entity>), ApiError> {
    let (text, entities) = match parse_mode {
        None | Some("") => (raw.to_string(), Vec::new()),
        Some(mode) if mode.eq_ignore_ascii_case("html") => {
            let parsed = html::parse(raw)
                .map_err(|e| ApiError::bad_request(format!("can't parse entities: {e}")))?;
            (parsed.text, parsed.entities)
        }
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "unsupported parse_mode {other:?} (the simulator knows HTML)"
            )));
        }
    };
    if !caption && text.trim().is_empty() {
        return Err(ApiError::bad_request("message text is empty"));
    }
    if text.encode_utf16().count() > limit {
        return Err(ApiError::bad_request(if caption {
            "message caption is too long"
        } else {
            "message is too long"
        }));
    }
    Ok((text, entities))
}

async fn send(
    shared: &Shared,
    params: &Map<String, Value>,
    photo: bool,
) -> Result<Value, ApiError> {
    let (fail, delay) = {
        let mut state = shared.lock();
        (
            state.faults.fail.pop_front(),
            state.faults.delay.pop_front(),
        )
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(code) = fail {
        let description = match code {
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "Internal Server Error",
        };
        return Err(ApiError::new(code, description));
    }
    let chat = resolve_chat(shared, params.get("chat_id"))?;
    let parse_mode = params.get("parse_mode").and_then(Value::as_str);
    let (raw, photo_ref) = if photo {
        let photo = params
            .get("photo")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| ApiError::bad_request("there is no photo in the request"))?;
        let caption = params.get("caption").and_then(Value::as_str).unwrap_or("");
        (caption.to_string(), Some(photo.to_string()))
    } else {
        let text = params
            .get("text")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request("message text is empty"))?;
        (text.to_string(), None)
    };
    let limit = if photo { CAPTION_LIMIT } else { MESSAGE_LIMIT };
    let (text, entities) = formatted(&raw, parse_mode, limit, photo)?;
    let link_preview_disabled = params
        .get("link_preview_options")
        .and_then(|o| o.get("is_disabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut state = shared.lock();
    let now = Instant::now();
    let limits = state.limits;
    if let Err((scope, retry_after)) = state.windows.admit(&limits, chat.id, chat.is_group(), now) {
        match scope {
            LimitScope::Global => state.stats.too_many_global += 1,
            LimitScope::Chat => state.stats.too_many_chat += 1,
            LimitScope::Group => state.stats.too_many_group += 1,
        }
        return Err(ApiError {
            code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        });
    }
    let stored = state.chats.get_mut(&chat.id).expect("resolved above");
    let message_id = stored.next_message_id;
    stored.next_message_id += 1;
    let at = now.duration_since(state.started);
    let bot = json!({"id": state.config.bot_id, "is_bot": true, "first_name": "gazette",
                     "username": state.config.bot_username});
    state.stats.sent += 1;
    state.messages.push(SentMessage {
        chat_id: chat.id,
        message_id,
        text: text.clone(),
        raw,
        parse_mode: parse_mode.map(str::to_string),
        entities: entities.clone(),
        photo: photo_ref.clone(),
        link_preview_disabled,
        reply_markup: params.get("reply_markup").cloned(),
        at,
    });
    let mut message = json!({
        "message_id": message_id,
        "date": unix_now(),
        "chat": chat.to_json(),
    });
    if chat.kind != "channel" {
        message["from"] = bot;
    }
    let (text_key, entities_key) = if photo {
        ("caption", "caption_entities")
    } else {
        ("text", "entities")
    };
    if !text.is_empty() {
        message[text_key] = json!(text);
    }
    if !entities.is_empty() {
        message[entities_key] = json!(entities);
    }
    if photo_ref.is_some() {
        let unique = format!("sim{message_id}x{}", chat.id.unsigned_abs());
        message["photo"] = json!([
            {"file_id": format!("photo-{unique}-s"), "file_unique_id": format!("{unique}s"), "width": 320, "height": 180},
            {"file_id": format!("photo-{unique}-m"), "file_unique_id": format!("{unique}m"), "width": 1280, "height": 720},
        ]);
    }
    Ok(message)
}

async fn get_updates(shared: &Shared, params: &Map<String, Value>) -> Result<Value, ApiError> {
    if shared.lock().webhook.is_some() {
        return Err(ApiError::new(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        ));
    }
    let offset = params.get("offset").and_then(Value::as_i64);
    let limit = params
        .get("limit")
        .and_then(Value::as_u64)
        .unwrap_or(100)
        .clamp(1, 100) as usize;
    let timeout = params.get("timeout").and_then(Value::as_u64).unwrap_or(0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout).min(MAX_POLL);
    // This call overtakes any other waiting one, which Telegram ends with 409.
    let generation = {
        let mut state = shared.lock();
        state.poll_generation += 1;
        state.poll_generation
    };
    shared.updates_arrived.notify_waiters();
    loop {
        let notified = shared.updates_arrived.notified();
        {
            let mut state = shared.lock();
            if state.poll_generation != generation {
                state.stats.poll_conflicts += 1;
                return Err(ApiError::new(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                ));
            }
            if let Some(offset) = offset {
                // An offset confirms every update before it, as Telegram does.
                state
                    .updates
                    .retain(|u| u["update_id"].as_i64().is_some_and(|id| id >= offset));
            }
            if !state.updates.is_empty() {
                let batch: Vec<Value> = state.updates.iter().take(limit).cloned().collect();
                return Ok(Value::Array(batch));
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return Ok(json!([]));
        }
    }
}

fn set_webhook(shared: &Arc<Shared>, params: &Map<String, Value>) -> Result<Value, ApiError> {
    let url = params
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("url is empty"))?;
    let secret = params
        .get("secret_token")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(s) = &secret {
        let valid = (1..=256).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err(ApiError::bad_request(
                "secret token contains unallowed characters",
            ));
        }
    }
    let pending: Vec<Value> = {
        let mut state = shared.lock();
        if url.is_empty() {
            state.webhook = None;
            return Ok(json!(true));
        }
        if params.get("drop_pending_updates").and_then(Value::as_bool) == Some(true) {
            state.updates.clear();
        }
        state.webhook = Some(Webhook {
            url: url.to_string(),
            secret_token: secret.clone(),
        });
        state.updates.drain(..).collect()
    };
    let hook = Webhook {
        url: url.to_string(),
        secret_token: secret,
    };
    // Pending updates go to the webhook now.
    for update in pending {
        post_to_webhook(Arc::clone(shared), hook.clone(), update);
    }
    Ok(json!(true))
}

fn delete_webhook(shared: &Shared, params: &Map<String, Value>) -> Result<Value, ApiError> {
    let mut state = shared.lock();
    state.webhook = None;
    if params.get("drop_pending_updates").and_then(Value::as_bool) == Some(true) {
        state.updates.clear();
    }
    Ok(json!(true))
}

fn set_my_commands(shared: &Shared, params: &Map<String, Value>) -> Result<Value, ApiError> {
    let commands = params
        .get("commands")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("parameter \"commands\" is required"))?;
    if commands.len() > 100 {
        return Err(ApiError::bad_request("too many commands"));
    }
    for c in commands {
        let command = c["command"].as_str().unwrap_or("");
        let valid = (1..=32).contains(&command.len())
            && command
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        if !valid {
            return Err(ApiError::bad_request("BOT_COMMAND_INVALID"));
        }
        let description = c["description"].as_str().unwrap_or("");
        if !(1..=256).contains(&description.chars().count()) {
            return Err(ApiError::bad_request(
                "command description is empty or too long",
            ));
        }
    }
    let lang = params
        .get("language_code")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    shared
        .lock()
        .commands
        .insert(lang, Value::Array(commands.clone()));
    Ok(json!(true))
}

/// Posts `update` to the webhook in the background and records the answer.
pub(crate) fn post_to_webhook(shared: Arc<Shared>, hook: Webhook, update: Value) {
    tokio::spawn(async move {
        let mut request = shared
            .http
            .post(&hook.url)
            .header(header::CONTENT_TYPE, "application/json")
            .body(update.to_string());
        if let Some(secret) = &hook.secret_token {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        let status = match request.send().await {
            Ok(response) => response.status().as_u16(),
            Err(_) => 0,
        };
        let id = update["update_id"].as_i64().unwrap_or(0);
        let mut state = shared.lock();
        state.webhook_answers.push((id, status));
        if (200..300).contains(&status) {
            state
                .updates
                .retain(|u| u["update_id"].as_i64() != Some(id));
        }
    });
}

// ----- control routes (the dev binary's; tests use the Simulator's methods) -----

#[derive(Deserialize)]
struct NewUser {
    id: i64,
    first_name: Option<String>,
    language_code: Option<String>,
}

async fn control_add_user(State(shared): State<SharedState>, body: Bytes) -> Response {
    let Ok(user) = serde_json::from_slice::<NewUser>(&body) else {
        return answer(
            400,
            json!({"error": "expected {\"id\": 42, \"first_name\": \"Ada\", \"language_code\": \"fr\"}"}),
        );
    };
    if user.id <= 0 {
        return answer(400, json!({"error": "user ids are positive"}));
    }
    shared.lock().chats.insert(
        user.id,
        Chat {
            id: user.id,
            kind: "private",
            title: None,
            first_name: Some(
                user.first_name
                    .unwrap_or_else(|| format!("User {}", user.id)),
            ),
            username: None,
            language_code: user.language_code,
            standing: Standing::Ok,
            next_message_id: 1,
        },
    );
    answer(200, json!({"ok": true}))
}

#[derive(Deserialize)]
struct NewText {
    user_id: i64,
    text: String,
}

async fn control_send_text(State(shared): State<SharedState>, body: Bytes) -> Response {
    let Ok(text) = serde_json::from_slice::<NewText>(&body) else {
        return answer(
            400,
            json!({"error": "expected {\"user_id\": 42, \"text\": \"/start\"}"}),
        );
    };
    if !shared.lock().chats.contains_key(&text.user_id) {
        return answer(404, json!({"error": "unknown user: POST /sim/users first"}));
    }
    let id = crate::inject_text(&shared, text.user_id, text.user_id, &text.text);
    answer(200, json!({"update_id": id}))
}

#[derive(Deserialize)]
struct MessagesQuery {
    chat_id: Option<i64>,
}

async fn control_messages(
    State(shared): State<SharedState>,
    Query(q): Query<MessagesQuery>,
) -> Response {
    let state = shared.lock();
    let messages: Vec<&SentMessage> = state
        .messages
        .iter()
        .filter(|m| q.chat_id.is_none_or(|c| c == m.chat_id))
        .collect();
    answer(200, json!(messages))
}

async fn control_stats(State(shared): State<SharedState>) -> Response {
    let stats = shared.lock().stats.clone();
    answer(200, json!(stats))
}
