"""The Telegram bot: the same answers as the CLI, rendered as Telegram HTML with buttons.

`app.build_application` wires handlers (`handlers`, `admin`) to the answering core
(`service`); `render` makes the HTML, `callbacks` the button ids, `limits` the refusals,
`records` the usage history and `uploads` the safe saving of sent reports.
"""
