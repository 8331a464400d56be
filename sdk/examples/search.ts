import { ImsearchClient, ImsearchError, fileFromPath } from '@imsearch/sdk/node';

const client = new ImsearchClient({ endpoint: process.env.IMSEARCH_URL ?? 'http://127.0.0.1:4000/graphql' });
try {
  const { matches } = await client.similarImages(await fileFromPath(process.argv[2]), { k: 5 });
  for (const m of matches) console.log(m.rank, m.score.toFixed(3), m.item.label, m.item.url);
} catch (err) {
  if (err instanceof ImsearchError && err.code === 'BAD_IMAGE') console.error(`not an image: ${err.message}`);
  else throw err;
}
