from marketedge.cli.main import main

main()
