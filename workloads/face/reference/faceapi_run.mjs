// Runs face-api itself (its bundled TF.js, CPU backend) on raw RGB images:
// tiny face detector with its default options, then the face descriptor of
// every detected box. Used by faceapi_crosscheck.py only.
//   node faceapi_run.mjs <patched face-api.esm.mjs> <model dir> <jobs.json> <out.json>
// jobs.json: [{"image": name, "raw": path, "width": w, "height": h}, ...]
import util from 'util';
import fs from 'fs';

globalThis.__nodeUtil = util;  // what the patched bundle reads (faceapi_crosscheck.py)
const [bundle, modelDir, jobsPath, outPath] = process.argv.slice(2);
const faceapi = await import(bundle);
const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();

function load(net, name) {
  const manifest = JSON.parse(fs.readFileSync(`${modelDir}/${name}-weights_manifest.json`));
  const specs = manifest.flatMap((g) => g.weights);
  const bytes = Buffer.concat(manifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(`${modelDir}/${p}`))));
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  net.loadFromWeightMap(tf.io.decodeWeights(data, specs));
}
load(faceapi.nets.tinyFaceDetector, 'tiny_face_detector_model');
load(faceapi.nets.faceRecognitionNet, 'face_recognition_model');

const results = [];
for (const job of JSON.parse(fs.readFileSync(jobsPath))) {
  const img = tf.tensor3d(new Uint8Array(fs.readFileSync(job.raw)), [job.height, job.width, 3], 'int32');
  const detections = await faceapi.nets.tinyFaceDetector.locateFaces(img, new faceapi.TinyFaceDetectorOptions());
  for (const d of detections) {
    const [face] = await faceapi.extractFaceTensors(img, [d]);
    const descriptor = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(face);
    const box = d.forSize(job.width, job.height).box.clipAtImageBorders(job.width, job.height);
    results.push({ image: job.image, score: d.score, box: [box.x, box.y, box.width, box.height],
      embedding: Array.from(descriptor) });
    face.dispose();
  }
  img.dispose();
  console.error(`faceapi_run: ${job.image}: ${detections.length} faces`);
}
fs.writeFileSync(outPath, JSON.stringify({ version: faceapi.version, backend: tf.getBackend(), faces: results }));
