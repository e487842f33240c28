"""Drop-in backends for the official SDKs: ``streamdelta.integrations.openai.install(client)`` and
``streamdelta.integrations.anthropic.install(client)`` make the client decode its streams with
streamdelta; nothing else about the client changes. Importing this package imports no SDK.
"""
