"""What `help` prints in the console."""

HELP = """Console commands:
  as <person>            act as this person (external id or display name)
  who                    a few people of the workspace
  #channel your message  post in a community (only the fact is recorded, never the text)
  react #channel         react to a message there
  join #channel          join a community yourself
  /engage <command>      any chat command: /engage help, start, suggest, stats #x, me, …
  <number>               click the button with that number
  tick [duration]        move time on (30m, 2h, 1d, 1w; default 1h) and run the jobs
  time                   the console's clock
  help                   this list
  quit                   leave"""
