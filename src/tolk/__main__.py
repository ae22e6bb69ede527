from tolk.cli.main import run

run()
