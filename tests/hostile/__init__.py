"""The hostile-miner harness: a fake miner that answers with mutated real replies, and an oracle.

``menu`` builds the cases (real captured replies and the simulator's, mutated field by field or
byte by byte) and says, independently of the rules, which checks read what each case spoiled;
``fake`` serves a case in-process or on loopback sockets to the real stock client.
"""
