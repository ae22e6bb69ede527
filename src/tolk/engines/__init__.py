"""Translation engines: one module per engine behind the protocol in `base`; built by `registry`."""
