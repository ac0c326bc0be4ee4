from dudao.cli import main

main()
