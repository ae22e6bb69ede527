"""Operations: what operators ask and are told, beside the work itself.

answers   the operator's questions answered from the store (agents' status, restarts, the outbox)
bot       the Telegram ops bot: commands in a chat, answered with `answers`
schedule  scheduled reports, sent through the notify channels (at most once per slot, whatever the
          number of workers)

`notify/` holds only the channels (Slack, Telegram, webhooks); this package decides what goes out.
"""
