#!/usr/bin/env python3
"""Extract the Bot API methods and types gazette uses from telegram-bot-api-spec's api.json.

Usage: tools/telegram-api-subset.py ../shared/data/telegram/api.json \
           > crates/gazette-telegram-sim/spec/api-subset.json
"""
import json
import sys

METHODS = ["getMe", "sendMessage", "sendPhoto", "getUpdates", "setWebhook", "deleteWebhook",
           "setMyCommands"]
TYPES = ["User", "Chat", "Message", "Update", "PhotoSize", "MessageEntity", "BotCommand",
         "BotCommandScope", "LinkPreviewOptions", "ResponseParameters", "ReplyKeyboardMarkup",
         "KeyboardButton", "ReplyKeyboardRemove", "ReplyParameters", "InputFile"]

spec = json.load(open(sys.argv[1]))
subset = {
    "version": spec["version"],
    "release_date": spec["release_date"],
    "methods": {m: spec["methods"][m] for m in METHODS},
    "types": {t: spec["types"][t] for t in TYPES},
}
json.dump(subset, sys.stdout, indent=1, ensure_ascii=False)
