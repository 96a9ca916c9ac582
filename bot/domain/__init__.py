"""The pure core: rules over plain data. No Slack, no database, no clock reads (see the import contracts)."""
