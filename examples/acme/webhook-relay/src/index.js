require("dotenv").config();
const express = require("express");

const app = express();
app.use(express.json());

app.post("/hooks/:source", (req, res) => {
  // TODO: verify signature, forward to queue
  res.status(202).json({ accepted: true, source: req.params.source });
});

app.listen(process.env.PORT || 3000);
