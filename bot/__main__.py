from bot.cli import main

# Guarded: ingest reads many files in spawned worker processes, which import this module.
if __name__ == "__main__":
    main()
