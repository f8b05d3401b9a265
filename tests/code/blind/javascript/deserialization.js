// handlers: restorePrefs importYaml safeImport
const serialize = require('node-serialize');
const yaml = require('js-yaml');

exports.restorePrefs = async (event) => {
  const cookie = (event.headers.Cookie || '').split('prefs=')[1] || '';
  const prefs = serialize.unserialize(Buffer.from(cookie, 'base64').toString());  // expect: FG-INJ-013
  return { statusCode: 200, body: JSON.stringify(prefs) };
};

exports.importYaml = async (event) => {
  const doc = yaml.load(event.body, { schema: yaml.DEFAULT_FULL_SCHEMA });  // expect: FG-INJ-013
  return { statusCode: 200, body: JSON.stringify(doc) };
};

exports.safeImport = async (event) => {
  const doc = yaml.load(event.body);  // ok
  const obj = JSON.parse(event.body);  // ok
  return { statusCode: 200, body: JSON.stringify([doc, obj]) };
};
