"""IAM in depth: the action database, statement evaluation, managed policies, risk
classes, the SDK-call → IAM-action map and the least-privilege policy per function.

Everything here reads only the model and bundled data; nothing touches the network.
"""
