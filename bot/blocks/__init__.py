"""Block Kit builders: plain data in, slack_sdk block models out. No I/O."""
