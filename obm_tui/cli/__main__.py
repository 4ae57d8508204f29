from obm_tui.cli import main

main()
