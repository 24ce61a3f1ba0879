// An ordinary Express app, unmodified for poolhost: it calls listen() on process.env.PORT as an
// iisnode app would, and poolhost's worker feeds it the requests routed to /express.
const express = require('express');

const app = express();
const router = express.Router();

router.get('/', (req, res) => {
  res.type('text/plain').send(`Hello from Express in w3wp PID ${process.pid} (pool ${process.env.APP_POOL_ID}).\n`);
});
router.get('/json', (req, res) => {
  res.json({ pid: process.pid, pool: process.env.APP_POOL_ID, url: req.originalUrl });
});
router.post('/echo', express.json(), (req, res) => {
  res.json({ received: req.body });
});

// IIS hands the application the full URL, application path included.
app.use('/express', router);
app.listen(process.env.PORT || 3000);
