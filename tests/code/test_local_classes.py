"""Objects of the function's own classes: methods followed, data classes carry event data, logger wrappers stay log
calls, and a method read off the whole event is a part of it (not "the whole event" in a log finding)."""

from __future__ import annotations

from tests.code.test_tables import facts


def test_python_logger_wrapper_is_a_log_call_at_the_call_site(tmp_path):
    code = "\n".join(["import logging", "", "class AppLogger:", "    def info(self, msg, data=None):",
                      "        logging.getLogger().info(msg, data)", "", "logger = AppLogger()", "",
                      "def handler(event, context):", "    logger.info('start', event)", ""])
    leaks = facts(tmp_path, "app.py", code).log_leaks
    assert [(leak.kind, leak.loc.line) for leak in leaks] == [("whole-event", 10)]


def test_js_logger_wrapper_is_a_log_call_at_the_call_site(tmp_path):
    code = "\n".join(["class Logger {", "  info(message, metadata = {}) {",
                      "    console.log(JSON.stringify({ message, ...metadata }));", "  }", "}",
                      "const logger = new Logger();", "exports.handler = async (event) => {",
                      '  logger.info("start", { event });', "};", ""])
    leaks = facts(tmp_path, "app.js", code).log_leaks
    assert [(leak.kind, leak.loc.line) for leak in leaks] == [("whole-event", 8)]


def test_a_method_of_the_whole_event_returns_a_part(tmp_path):
    code = "\n".join(["import logging", "from aws_lambda_powertools.event_handler import APIGatewayRestResolver", "",
                      "app = APIGatewayRestResolver()", "log = logging.getLogger()", "", "@app.get('/x')", "def x():",
                      "    log.info(app.current_event.get_header_value(name='X-Id'))",
                      "    log.info(app.current_event)  # the whole event", "",
                      "def handler(event, context):", "    return app.resolve(event, context)", ""])
    leaks = facts(tmp_path, "app.py", code).log_leaks
    assert [(leak.kind, leak.loc.line) for leak in leaks] == [("whole-event", 10)]


def test_python_instance_methods_and_typed_model_fields(tmp_path):
    code = "\n".join(["import json", "import os", "from pydantic import BaseModel", "", "class Job(BaseModel):",
                      "    name: str", "    size: int", "", "class Runner:", "    def run(self, cmd):",
                      "        os.system(cmd)", "", "runner = Runner()", "", "def handler(event, context):",
                      "    job = Job(**json.loads(event['body']))", "    runner.run('make ' + job.name)",
                      "    os.system('make -j ' + str(job.size))", ""])
    flows = facts(tmp_path, "app.py", code).flows
    assert [(f.kind, f.sink_loc.line) for f in flows] == [("shell", 11)]
