// handlers: renderCard safeCard
const ejs = require('ejs');
const Handlebars = require('handlebars');

const CARD = '<div class="card"><%= title %></div>';

exports.renderCard = async (event) => {
  const { template, data } = JSON.parse(event.body);
  const html = ejs.render(template, data);  // expect: FG-INJ-017
  const compiled = Handlebars.compile(event.queryStringParameters.layout);  // expect: FG-INJ-017
  return { statusCode: 200, body: html + compiled(data) };
};

exports.safeCard = async (event) => {
  const { title } = JSON.parse(event.body);
  return { statusCode: 200, body: ejs.render(CARD, { title }) };  // ok
};
