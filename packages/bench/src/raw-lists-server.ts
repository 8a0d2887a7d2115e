import { createServer } from "node:http";
import mysql from "mysql2/promise";

/**
 * The physical limit of `lists(first: 50) { nodes { id name memberCount server { name } customer { company } } }`:
 * a bare node:http handler answering it with one mysql2 query against listbill's own tables, in
 * listbill's order (name key, then id) and JSON shape. No GraphQL, no auth, no ORM. Run as its
 * own process (argument: the mysql:// URL); prints "raw lists server at <url>".
 */
const pool = mysql.createPool({ uri: process.argv[2]!, connectionLimit: 10, supportBigNumbers: true });
const LISTS = `SELECT l.id, l.name, l.memberCount, s.name AS serverName, c.company
  FROM list l JOIN server s ON s.id = l.serverId LEFT JOIN customer c ON c.id = l.customerId
  WHERE l.removedAt IS NULL ORDER BY l.nameKey, l.id LIMIT 50`;

const server = createServer(async (req, res) => {
  try {
    for await (const _chunk of req);
    const [rows] = await pool.query<mysql.RowDataPacket[]>(LISTS);
    const nodes = rows.map((row) => ({
      id: Buffer.from(`List:${row.id}`, "utf8").toString("base64url"),
      name: row.name,
      memberCount: row.memberCount,
      server: { name: row.serverName },
      customer: row.company === null ? null : { company: row.company },
    }));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data: { lists: { nodes } } }));
  } catch (error) {
    res.writeHead(500);
    res.end(String(error));
  }
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  console.log(`raw lists server at http://127.0.0.1:${address.port}/`);
});
process.on("SIGTERM", () => server.close(() => void pool.end().then(() => process.exit(0))));
